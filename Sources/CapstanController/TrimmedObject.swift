import CapstanAPI

enum TrimmedObject {
    /// What an informer keeps of a resource the controller reads whole: everything but the
    /// metadata nobody reads (managedFields, kubectl's copy of the last applied object).
    /// The metadata nobody reads, as key paths: watches step over it (a Workflow applied with
    /// `kubectl apply` carries its whole spec again in the annotation), and `keep` drops it
    /// from what a list returns.
    static let unreadMetadata: [[String]] = [
        ["metadata", "managedFields"],
        ["metadata", "annotations", "kubectl.kubernetes.io/last-applied-configuration"],
    ]

    @Sendable static func keep(_ object: JSONValue) -> JSONValue? {
        guard var metadata = object["metadata"]?.objectValue else { return nil }
        metadata["managedFields"] = nil
        metadata["annotations"]?["kubectl.kubernetes.io/last-applied-configuration"] = nil
        var kept = object
        kept["metadata"] = .object(metadata)
        return kept
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
