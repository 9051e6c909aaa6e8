import CapstanAPI

/// The Secrets and ConfigMaps a pod's main container needs before the kubelet can create it:
/// `envFrom`, `env[].valueFrom.secretKeyRef`/`configMapKeyRef` (not `optional`), and
/// `secret`/`configMap` volumes. Read once from the pod; checked against what exists.
struct ConfigReferences: Sendable, Hashable {
    enum Kind: String, Sendable, Hashable {
        case secret, configMap

        /// How kube names the kind in "couldn't find key" messages.
        var title: String { self == .secret ? "Secret" : "ConfigMap" }
        /// How the kubelet's object caches name it in their NotFound errors.
        var resource: String { self == .secret ? "secret" : "configmap" }
    }

    struct Reference: Sendable, Hashable {
        var kind: Kind
        var name: String
        /// nil: the whole object (`envFrom`, a volume without `items`).
        var key: String?
    }

    /// In the kubelet's order: `envFrom` first, then `env`.
    var environment: [Reference] = []
    var volumes: [Reference] = []

    var isEmpty: Bool { environment.isEmpty && volumes.isEmpty }

    init(pod: JSONValue?, container: JSONValue?) {
        for source in container?["envFrom"]?.arrayValue ?? [] {
            if let ref = Self.reference(.configMap, source["configMapRef"], key: nil) { environment.append(ref) }
            if let ref = Self.reference(.secret, source["secretRef"], key: nil) { environment.append(ref) }
        }
        for variable in container?["env"]?.arrayValue ?? [] {
            let from = variable["valueFrom"]
            if let ref = Self.reference(.configMap, from?["configMapKeyRef"], key: from?["configMapKeyRef"]?["key"]?.stringValue ?? "") {
                environment.append(ref)
            }
            if let ref = Self.reference(.secret, from?["secretKeyRef"], key: from?["secretKeyRef"]?["key"]?.stringValue ?? "") {
                environment.append(ref)
            }
        }
        let mounted = Set((container?["volumeMounts"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue })
        for volume in pod?["spec"]?["volumes"]?.arrayValue ?? [] where mounted.contains(volume["name"]?.stringValue ?? "") {
            if let secret = volume["secret"], secret["optional"]?.boolValue != true, let name = secret["secretName"]?.stringValue {
                volumes.append(Reference(kind: .secret, name: name, key: nil))
            }
            if let map = volume["configMap"], map["optional"]?.boolValue != true, let name = map["name"]?.stringValue {
                volumes.append(Reference(kind: .configMap, name: name, key: nil))
            }
        }
    }

    private static func reference(_ kind: Kind, _ source: JSONValue?, key: String?) -> Reference? {
        guard let source, source["optional"]?.boolValue != true, let name = source["name"]?.stringValue else { return nil }
        return Reference(kind: kind, name: name, key: key)
    }

    /// Why the container cannot be created yet, with the kubelet's reason and message; nil
    /// when everything it needs exists. `keys` answers an object's keys, nil when absent.
    func problem(namespace: String, keys: (Kind, String) -> Set<String>?) -> (reason: String, message: String?)? {
        // Volumes are mounted before any container is created: the pod waits in ContainerCreating.
        for ref in volumes where keys(ref.kind, ref.name) == nil {
            return ("ContainerCreating", nil)
        }
        for ref in environment {
            guard let present = keys(ref.kind, ref.name) else {
                return ("CreateContainerConfigError", "\(ref.kind.resource) \"\(ref.name)\" not found")
            }
            if let key = ref.key, !present.contains(key) {
                return ("CreateContainerConfigError", "couldn't find key \(key) in \(ref.kind.title) \(namespace)/\(ref.name)")
            }
        }
        return nil
    }
}
