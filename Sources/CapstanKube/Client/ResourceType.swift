/// One kind of Kubernetes resource as the REST API addresses it: group, version and plural.
/// The client is untyped: any resource, custom or built-in, is reached through one of these.
public struct ResourceType: Sendable, Hashable, CustomStringConvertible {
    /// Empty for the core group (`/api/v1`).
    public var group: String
    public var version: String
    /// The lower-case plural in URLs, e.g. `pods`, `workflows`.
    public var plural: String
    public var kind: String
    public var namespaced: Bool

    public init(group: String, version: String, plural: String, kind: String, namespaced: Bool) {
        self.group = group
        self.version = version
        self.plural = plural
        self.kind = kind
        self.namespaced = namespaced
    }

    /// The object's `apiVersion` field: `v1` or `GROUP/VERSION`.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    public var description: String { group.isEmpty ? plural : "\(plural).\(group)" }

    public static let namespaces = ResourceType(group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false)
    public static let nodes = ResourceType(group: "", version: "v1", plural: "nodes", kind: "Node", namespaced: false)
    public static let pods = ResourceType(group: "", version: "v1", plural: "pods", kind: "Pod", namespaced: true)
    public static let events = ResourceType(group: "", version: "v1", plural: "events", kind: "Event", namespaced: true)
    public static let configMaps = ResourceType(group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", namespaced: true)
    public static let secrets = ResourceType(group: "", version: "v1", plural: "secrets", kind: "Secret", namespaced: true)
    public static let services = ResourceType(group: "", version: "v1", plural: "services", kind: "Service", namespaced: true)
    public static let serviceAccounts = ResourceType(group: "", version: "v1", plural: "serviceaccounts", kind: "ServiceAccount", namespaced: true)
    public static let leases = ResourceType(group: "coordination.k8s.io", version: "v1", plural: "leases", kind: "Lease", namespaced: true)
    public static let customResourceDefinitions = ResourceType(
        group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions", kind: "CustomResourceDefinition", namespaced: false)
    public static let workflows = ResourceType(group: "capstan.dev", version: "v1alpha1", plural: "workflows", kind: "Workflow", namespaced: true)
    public static let workflowTemplates = ResourceType(group: "capstan.dev", version: "v1alpha1", plural: "workflowtemplates",
                                                       kind: "WorkflowTemplate", namespaced: true)
    public static let cronWorkflows = ResourceType(
        group: "capstan.dev", version: "v1alpha1", plural: "cronworkflows", kind: "CronWorkflow", namespaced: true)
}

/// Where one request goes: a collection (no name) or one object, optionally a subresource.
public struct ResourceAddress: Sendable, Hashable, CustomStringConvertible {
    public var type: ResourceType
    public var namespace: String?
    public var name: String?
    public var subresource: String?

    public init(_ type: ResourceType, namespace: String? = nil, name: String? = nil, subresource: String? = nil) {
        self.type = type
        self.namespace = namespace
        self.name = name
        self.subresource = subresource
    }

    /// The URL path, e.g. `/api/v1/namespaces/ml/pods/p1/status`. A namespace given for a
    /// cluster-scoped resource is ignored; none for a namespaced one lists across all.
    public var path: String {
        var path = type.group.isEmpty ? "/api/\(type.version)" : "/apis/\(type.group)/\(type.version)"
        if type.namespaced, let namespace, !namespace.isEmpty {
            path += "/namespaces/" + PercentEncoding.pathSegment(namespace)
        }
        path += "/" + type.plural
        if let name {
            path += "/" + PercentEncoding.pathSegment(name)
            if let subresource { path += "/" + subresource }
        }
        return path
    }

    public var description: String {
        var text = type.description
        if let namespace, type.namespaced { text += " \(namespace)/" } else { text += " " }
        text += name ?? "*"
        if let subresource { text += "/\(subresource)" }
        return text
    }
}

enum PercentEncoding {
    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    static func encode(_ text: String, keeping extra: Set<UInt8> = []) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in text.utf8 {
            if isUnreserved(byte) || extra.contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]], as: UTF8.self)
            }
        }
        return out
    }

    static func pathSegment(_ text: String) -> String { encode(text, keeping: [UInt8(ascii: ":"), UInt8(ascii: "@")]) }

    static func query(_ items: [(String, String)]) -> String {
        items.map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&")
    }
}
