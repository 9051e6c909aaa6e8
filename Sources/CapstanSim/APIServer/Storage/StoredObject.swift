import CapstanAPI

/// One stored object: its JSON encoded once at write time, plus the few fields that lists,
/// selectors and the garbage collector read without decoding it again.
final class StoredObject: Sendable {
    let bytes: [UInt8]
    let name: String
    let namespace: String
    let uid: String
    let resourceVersion: Int
    let labels: [String: String]
    let ownerUIDs: [String]
    let finalizers: [String]
    let isTerminating: Bool
    /// Values of the fields field selectors may name (`status.phase`, `spec.nodeName`...).
    let selectableFields: [String: String]

    init(value: JSONValue, resourceVersion: Int, selectableFieldPaths: [String]) {
        let metadata = value["metadata"] ?? [:]
        bytes = value.serialized()
        name = metadata["name"]?.stringValue ?? ""
        namespace = metadata["namespace"]?.stringValue ?? ""
        uid = metadata["uid"]?.stringValue ?? ""
        self.resourceVersion = resourceVersion
        var labels: [String: String] = [:]
        for (key, label) in metadata["labels"]?.objectValue ?? [:] { labels[key] = label.stringValue ?? "" }
        self.labels = labels
        ownerUIDs = (metadata["ownerReferences"]?.arrayValue ?? []).compactMap { $0["uid"]?.stringValue }
        finalizers = (metadata["finalizers"]?.arrayValue ?? []).compactMap(\.stringValue)
        isTerminating = metadata["deletionTimestamp"].map { !$0.isNull } ?? false
        var fields: [String: String] = ["metadata.name": name, "metadata.namespace": namespace]
        for path in selectableFieldPaths {
            var current: JSONValue? = value
            for key in path.split(separator: ".") { current = current?[String(key)] }
            switch current {
            case .string(let s): fields[path] = s
            case .bool(let b): fields[path] = b ? "true" : "false"
            case .number: fields[path] = current!.jsonString
            default: fields[path] = ""
            }
        }
        selectableFields = fields
    }

    /// The same object at another resourceVersion, its JSON changed in that one place
    /// (`ResourceVersionSpan`), so nothing is decoded or encoded again; nil when the stored
    /// JSON has no string `metadata.resourceVersion`.
    func withResourceVersion(_ resourceVersion: Int) -> StoredObject? {
        guard let bytes = ResourceVersionSpan.replacing(in: bytes, with: resourceVersion) else { return nil }
        return StoredObject(bytes: bytes, resourceVersion: resourceVersion, from: self)
    }

    private init(bytes: [UInt8], resourceVersion: Int, from other: StoredObject) {
        self.bytes = bytes
        self.resourceVersion = resourceVersion
        name = other.name
        namespace = other.namespace
        uid = other.uid
        labels = other.labels
        ownerUIDs = other.ownerUIDs
        finalizers = other.finalizers
        isTerminating = other.isTerminating
        selectableFields = other.selectableFields
    }

    /// The object decoded again; stored bytes always parse since the server wrote them.
    func value() -> JSONValue {
        (try? JSONValue.parse(bytes)) ?? .object([:])
    }
}

/// Where an object lives: its resource, namespace ("" when cluster-scoped) and name.
struct StoredObjectKey: Sendable, Hashable {
    var resource: GroupResource
    var namespace: String
    var name: String
}
