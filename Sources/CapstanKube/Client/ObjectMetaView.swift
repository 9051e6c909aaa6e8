import CapstanAPI
/// Read access to the `metadata` of an untyped object.
public struct ObjectMetaView: Sendable {
    let metadata: JSONValue?

    public var name: String? { metadata?["name"]?.stringValue }
    public var namespace: String? { metadata?["namespace"]?.stringValue }
    public var uid: String? { metadata?["uid"]?.stringValue }
    public var resourceVersion: String? { metadata?["resourceVersion"]?.stringValue }
    public var generation: Int? { metadata?["generation"]?.intValue }
    public var deletionTimestamp: String? { metadata?["deletionTimestamp"]?.stringValue }
    public var labels: [String: String] { stringMap("labels") }
    public var annotations: [String: String] { stringMap("annotations") }
    public var finalizers: [String] { metadata?["finalizers"]?.arrayValue?.compactMap(\.stringValue) ?? [] }

    /// `namespace/name`, or `name` for cluster-scoped objects: the informer cache key.
    public var key: String {
        let name = self.name ?? ""
        guard let namespace, !namespace.isEmpty else { return name }
        return "\(namespace)/\(name)"
    }

    private func stringMap(_ field: String) -> [String: String] {
        guard let fields = metadata?[field]?.objectValue else { return [:] }
        return fields.compactMapValues(\.stringValue)
    }
}

extension JSONValue {
    /// The object's `metadata`, read as Kubernetes defines it.
    public var kubeMeta: ObjectMetaView { ObjectMetaView(metadata: self["metadata"]) }
}
