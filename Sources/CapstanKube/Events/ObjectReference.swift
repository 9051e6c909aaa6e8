import CapstanAPI

/// Enough of an object to point at it: an Event's `involvedObject`, an ownerReference.
public struct ObjectReference: Sendable, Hashable {
    public var apiVersion: String
    public var kind: String
    public var namespace: String?
    public var name: String
    public var uid: String

    public init(apiVersion: String, kind: String, namespace: String?, name: String, uid: String) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
    }

    /// The reference to a full object as read from the API server.
    public init(_ object: JSONValue) {
        apiVersion = object["apiVersion"]?.stringValue ?? ""
        kind = object["kind"]?.stringValue ?? ""
        namespace = object.kubeMeta.namespace
        name = object.kubeMeta.name ?? ""
        uid = object.kubeMeta.uid ?? ""
    }

    var json: JSONValue {
        var fields: [String: JSONValue] = ["apiVersion": .string(apiVersion), "kind": .string(kind), "name": .string(name), "uid": .string(uid)]
        if let namespace { fields["namespace"] = .string(namespace) }
        return .object(fields)
    }
}
