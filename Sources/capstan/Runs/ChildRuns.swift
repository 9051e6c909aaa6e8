import CapstanAPI
import CapstanEngine
import CapstanKube

/// The child Workflows of sub-workflow and dynamic nodes (SPEC §11, §12), found among the
/// namespace's Workflows by the owner each names, so a run's whole tree is one list call.
struct ChildRuns {
    /// Children by their owner's UID, oldest first.
    private let byOwner: [String: [JSONValue]]

    /// The label every child carries; listing by it reads children only.
    static let selector = ChildWorkflows.parentLabel

    init(_ objects: [JSONValue]) {
        var byOwner: [String: [JSONValue]] = [:]
        for object in objects {
            for owner in object["metadata"]?["ownerReferences"]?.arrayValue ?? [] where owner["kind"] == "Workflow" {
                if let uid = owner["uid"]?.stringValue { byOwner[uid, default: []].append(object) }
            }
        }
        self.byOwner = byOwner.mapValues { children in
            children.sorted { Self.created($0) < Self.created($1) || (Self.created($0) == Self.created($1) && Self.name($0) < Self.name($1)) }
        }
    }

    /// Every child Workflow in `namespace`, read in one paged list; with `parent`, only that
    /// Workflow's direct children.
    static func list(_ client: KubeClient, namespace: String, parent: String? = nil) async throws -> ChildRuns {
        let selector = parent.map { "\(Self.selector)=\(ChildWorkflows.parentLabelValue($0))" } ?? Self.selector
        return ChildRuns(try await client.listAll(.workflows, namespace: namespace, options: ListOptions(labelSelector: selector)).items)
    }

    /// The direct children of the Workflow with `uid`, by the node they stand for.
    func children(of uid: String) -> [String: [JSONValue]] {
        var byNode: [String: [JSONValue]] = [:]
        for child in byOwner[uid] ?? [] {
            byNode[child["metadata"]?["labels"]?[PodLabels.node]?.stringValue ?? "", default: []].append(child)
        }
        return byNode
    }

    /// Every Workflow below the one with `uid`, at any depth.
    func descendants(of uid: String) -> [JSONValue] {
        var found: [JSONValue] = []
        var pending = [uid]
        while let next = pending.popLast() {
            for child in byOwner[next] ?? [] {
                found.append(child)
                if let uid = child["metadata"]?["uid"]?.stringValue { pending.append(uid) }
            }
        }
        return found
    }

    private static func created(_ object: JSONValue) -> String { object["metadata"]?["creationTimestamp"]?.stringValue ?? "" }
    private static func name(_ object: JSONValue) -> String { object["metadata"]?["name"]?.stringValue ?? "" }
}
