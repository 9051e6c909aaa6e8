import CapstanAPI

/// What the kubelets keep of a Secret or ConfigMap: which keys it has, never the values.
struct ConfigObject: Sendable, Hashable {
    var kind: ConfigReferences.Kind
    var namespace: String
    var name: String
    var keys: Set<String>

    var key: String { Self.key(kind, namespace, name) }

    static func key(_ kind: ConfigReferences.Kind, _ namespace: String, _ name: String) -> String {
        "\(kind.rawValue)/\(namespace)/\(name)"
    }

    /// The informer transform. Secrets written with `stringData` count those keys too.
    static func from(_ object: JSONValue, kind: ConfigReferences.Kind) -> ConfigObject? {
        let fields = kind == .secret ? ["data", "stringData"] : ["data", "binaryData"]
        let keys = fields.flatMap { object[$0]?.objectValue.map { Array($0.keys) } ?? [] }
        return ConfigObject(kind: kind, namespace: object["metadata"]?["namespace"]?.stringValue ?? "",
                            name: object["metadata"]?["name"]?.stringValue ?? "", keys: Set(keys))
    }
}
