import CapstanAPI

enum TrimmedObject {
    /// What an informer keeps of a resource the controller reads whole: everything but the
    /// metadata nobody reads (managedFields, kubectl's copy of the last applied object).
    @Sendable static func keep(_ object: JSONValue) -> JSONValue? {
        guard var metadata = object["metadata"]?.objectValue else { return nil }
        metadata["managedFields"] = nil
        metadata["annotations"]?["kubectl.kubernetes.io/last-applied-configuration"] = nil
        var kept = object
        kept["metadata"] = .object(metadata)
        return kept
    }
}
