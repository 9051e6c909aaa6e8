import Foundation
import CapstanAPI

/// The list page's filter, from its query string: `?phase=Failed&label=team%3Dml&page=2`.
/// Labels take kubectl's equality selectors: `key=value`, `key!=value`, `key`, `!key`, joined
/// with commas.
struct WorkflowFilter: Sendable, Equatable {
    var phase: String = ""
    var label: String = ""
    var namespace: String = ""
    /// Zero-based page of `pageSize` Workflows, newest first.
    var page = 0

    static let pageSize = 100

    init(phase: String = "", label: String = "", namespace: String = "", page: Int = 0) {
        self.phase = phase
        self.label = label
        self.namespace = namespace
        self.page = page
    }

    init(query: [String: String]) {
        phase = query["phase"] ?? ""
        label = query["label"] ?? ""
        namespace = query["namespace"] ?? ""
        page = max(0, Int(query["page"] ?? "") ?? 0)
    }

    /// A selector it cannot read: the page says so instead of silently matching everything.
    var labelError: String? { LabelSelector(label) == nil ? "cannot read the label selector \"\(label)\"" : nil }

    func matches(_ workflow: Workflow) -> Bool {
        if !phase.isEmpty && workflow.status.phase.rawValue != phase { return false }
        if !namespace.isEmpty && workflow.metadata.namespace != namespace { return false }
        return LabelSelector(label)?.matches(workflow.metadata.labels) ?? true
    }

    /// The matching Workflows, newest first (then by name), and how many matched in all.
    func select(_ workflows: [Workflow]) -> (page: [Workflow], total: Int) {
        let matched = workflows.filter(matches).sorted { left, right in
            let leftTime = left.metadata.creationTimestamp?.secondsSince1970 ?? 0
            let rightTime = right.metadata.creationTimestamp?.secondsSince1970 ?? 0
            if leftTime != rightTime { return leftTime > rightTime }
            return (left.metadata.namespace, left.metadata.name) < (right.metadata.namespace, right.metadata.name)
        }
        let start = min(page * Self.pageSize, matched.count)
        return (Array(matched[start..<min(start + Self.pageSize, matched.count)]), matched.count)
    }

    /// The query string of this filter on another page.
    func query(page: Int) -> String {
        URLText.query([("phase", phase), ("label", label), ("namespace", namespace), ("page", page == 0 ? "" : String(page))])
    }
}

/// An equality-based label selector, as `kubectl get -l` takes it.
struct LabelSelector: Sendable, Equatable {
    enum Requirement: Sendable, Equatable {
        case equals(String, String)
        case notEquals(String, String)
        case exists(String)
        case absent(String)
    }

    var requirements: [Requirement]

    init?(_ text: String) {
        var requirements: [Requirement] = []
        for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            if let range = part.range(of: "!=") {
                requirements.append(.notEquals(Self.trim(part[..<range.lowerBound]), Self.trim(part[range.upperBound...])))
            } else if let range = part.range(of: "==") ?? part.range(of: "=") {
                requirements.append(.equals(Self.trim(part[..<range.lowerBound]), Self.trim(part[range.upperBound...])))
            } else if part.hasPrefix("!") {
                requirements.append(.absent(Self.trim(part.dropFirst())))
            } else {
                requirements.append(.exists(part))
            }
            guard requirements.last!.isWellFormed else { return nil }
        }
        self.requirements = requirements
    }

    func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { requirement in
            switch requirement {
            case .equals(let key, let value): return labels[key] == value
            case .notEquals(let key, let value): return labels[key] != value
            case .exists(let key): return labels[key] != nil
            case .absent(let key): return labels[key] == nil
            }
        }
    }

    private static func trim(_ text: Substring) -> String { text.trimmingCharacters(in: .whitespaces) }
}

extension LabelSelector.Requirement {
    /// A key, and a value when there is one, with none of the characters of set-based
    /// selectors (`team in (a,b)`), which this filter does not take.
    var isWellFormed: Bool {
        let (key, value): (String, String) = switch self {
        case .equals(let key, let value), .notEquals(let key, let value): (key, value)
        case .exists(let key), .absent(let key): (key, "")
        }
        let forbidden: Set<Character> = [" ", "(", ")", "!", "="]
        return !key.isEmpty && !key.contains(where: forbidden.contains) && !value.contains(where: forbidden.contains)
    }
}
