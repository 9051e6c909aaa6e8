import CapstanAPI

enum TrimmedObject {
    /// The metadata nobody reads, as key paths: watches step over it (a Workflow applied with
    /// `kubectl apply` carries its whole spec again in the annotation), and `keep` drops it
    /// from what a list returns.
    static let unreadMetadata: [[String]] = [
        ["metadata", "managedFields"],
        ["metadata", "annotations", "kubectl.kubernetes.io/last-applied-configuration"],
    ]

    /// What an informer keeps of a resource the controller reads whole: everything but
    /// `unreadMetadata`.
    @Sendable static func keep(_ object: JSONValue) -> JSONValue? {
        guard object["metadata"]?.objectValue != nil else { return nil }
        var kept = object
        for path in unreadMetadata { remove(path[...], from: &kept) }
        return kept
    }

    private static func remove(_ path: ArraySlice<String>, from value: inout JSONValue) {
        guard let key = path.first else { return }
        if path.count == 1 {
            value[key] = nil
        } else if var child = value[key] {
            remove(path.dropFirst(), from: &child)
            value[key] = child
        }
    }

    /// The spec of the kept object while a watch event is of the same object at the same
    /// `metadata.generation`, which the API server raises with every change of the spec: a
    /// 1,000-node Workflow's spec is most of its bytes, and every status write sends it again.
    @Sendable static func heldSpec(_ kept: JSONValue, eventMetadata: JSONValue) -> JSONValue? {
        guard let generation = eventMetadata["generation"], let uid = eventMetadata["uid"],
            kept["metadata"]?["generation"] == generation, kept["metadata"]?["uid"] == uid
        else { return nil }
        return kept["spec"]
    }
}
