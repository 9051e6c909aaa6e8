/// A parsed `labelSelector` query: every requirement must hold (kube's selector syntax:
/// `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`, `k>N`, `k<N`).
struct LabelSelector: Sendable, Equatable {
    enum Requirement: Sendable, Equatable {
        case equals(String, String)
        case notEquals(String, String)
        case isIn(String, Set<String>)
        case notIn(String, Set<String>)
        case exists(String)
        case doesNotExist(String)
        case greaterThan(String, Int)
        case lessThan(String, Int)

        func matches(_ labels: [String: String]) -> Bool {
            switch self {
            case .equals(let key, let value): return labels[key] == value
            case .notEquals(let key, let value): return labels[key] != value
            case .isIn(let key, let values): return labels[key].map(values.contains) ?? false
            case .notIn(let key, let values): return labels[key].map { !values.contains($0) } ?? true
            case .exists(let key): return labels[key] != nil
            case .doesNotExist(let key): return labels[key] == nil
            case .greaterThan(let key, let bound): return labels[key].flatMap { Int($0) }.map { $0 > bound } ?? false
            case .lessThan(let key, let bound): return labels[key].flatMap { Int($0) }.map { $0 < bound } ?? false
            }
        }
    }

    var requirements: [Requirement]

    static let everything = LabelSelector(requirements: [])

    func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { $0.matches(labels) }
    }

    /// Parses the query value; the error text is what kube returns in its 400 response.
    init(parsing text: String) throws(StatusError) {
        requirements = []
        for clause in Self.splitTopLevel(text) {
            let trimmed = clause.trimmingSpaces
            if trimmed.isEmpty { continue }
            requirements.append(try Self.requirement(trimmed, whole: text))
        }
    }

    init(requirements: [Requirement]) { self.requirements = requirements }

    private static func splitTopLevel(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        for character in text {
            switch character {
            case "(": depth += 1; current.append(character)
            case ")": depth -= 1; current.append(character)
            case "," where depth == 0: parts.append(current); current = ""
            default: current.append(character)
            }
        }
        parts.append(current)
        return parts
    }

    private static func requirement(_ clause: String, whole: String) throws(StatusError) -> Requirement {
        func fail(_ why: String) -> StatusError {
            StatusError.badRequest("unable to parse requirement: \(why)")
        }
        if clause.hasPrefix("!") {
            let key = String(clause.dropFirst()).trimmingSpaces
            try validateKey(key)
            return .doesNotExist(key)
        }
        for (op, build) in [("!=", Requirement.notEquals), ("==", Requirement.equals), ("=", Requirement.equals)] {
            if let range = clause.range(of: op) {
                let key = String(clause[..<range.lowerBound]).trimmingSpaces
                let value = String(clause[range.upperBound...]).trimmingSpaces
                try validateKey(key)
                try validateValue(value)
                return build(key, value)
            }
        }
        for (op, isGreater) in [(">", true), ("<", false)] {
            if let range = clause.range(of: op) {
                let key = String(clause[..<range.lowerBound]).trimmingSpaces
                let text = String(clause[range.upperBound...]).trimmingSpaces
                guard let bound = Int(text) else { throw fail("for 'Gt', 'Lt' operators, the value must be an integer") }
                try validateKey(key)
                return isGreater ? .greaterThan(key, bound) : .lessThan(key, bound)
            }
        }
        let words = clause.split(separator: " ", maxSplits: 1).map(String.init)
        if words.count == 2 {
            let key = words[0]
            let rest = words[1].trimmingSpaces
            for (keyword, negated) in [("notin", true), ("in", false)] where rest.hasPrefix(keyword) {
                let list = rest.dropFirst(keyword.count).trimmingSpaces
                guard list.hasPrefix("("), list.hasSuffix(")") else {
                    throw StatusError.badRequest(
                        "unable to parse requirement: found '\(list)', expected: '('")
                }
                let values = Set(list.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false)
                    .map { String($0).trimmingSpaces }.filter { !$0.isEmpty })
                try validateKey(key)
                for value in values { try validateValue(value) }
                return negated ? .notIn(key, values) : .isIn(key, values)
            }
            throw StatusError.badRequest("unable to parse requirement: found '\(rest)', expected: in, notin, =, ==, !=, gt, lt")
        }
        try validateKey(clause)
        return .exists(clause)
    }

    private static func validateKey(_ key: String) throws(StatusError) {
        let name = key.split(separator: "/", maxSplits: 1).last.map(String.init) ?? ""
        guard !name.isEmpty, name.count <= 63, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) })
        else {
            throw StatusError.badRequest(
                "unable to parse requirement: invalid label key \"\(key)\": name part must consist of alphanumeric "
                    + "characters, '-', '_' or '.', and must start and end with an alphanumeric character")
        }
    }

    private static func validateValue(_ value: String) throws(StatusError) {
        guard value.count <= 63, value.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw StatusError.badRequest(
                "unable to parse requirement: values[0][\(value)]: Invalid value: \"\(value)\": a valid label must be "
                    + "an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and "
                    + "end with an alphanumeric character")
        }
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        var slice = Substring(self)
        while slice.first == " " { slice = slice.dropFirst() }
        while slice.last == " " { slice = slice.dropLast() }
        return String(slice)
    }
}
