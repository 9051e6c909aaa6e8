import CapstanAPI

/// The Secrets and ConfigMaps a pod's main container needs before the kubelet can create it:
/// `envFrom`, `env[].valueFrom.secretKeyRef`/`configMapKeyRef` (not `optional`), and
/// `secret`/`configMap` volumes and the Secrets and ConfigMaps of `projected` ones. Read once
/// from the pod; checked against what exists.
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
        /// The pod volume that mounts it, for a volume's references.
        var volume: String? = nil
    }

    /// In the kubelet's order: `envFrom` first, then `env`.
    var environment: [Reference] = []
    var volumes: [Reference] = []

    var isEmpty: Bool { environment.isEmpty && volumes.isEmpty }

    /// `secretFiles`: the process kubelet, which mounts no volumes, writes each Secret item
    /// mounted at a file when it creates the container; those are checked then, as its
    /// variables are, and Secret volumes are not waited for. nil: volumes are mounted.
    init(pod: JSONValue?, container: JSONValue?, secretFiles: [ContainerCommand.SecretFile]?) {
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
        if let secretFiles {
            environment += secretFiles.map { Reference(kind: .secret, name: $0.secret.name, key: $0.secret.key) }
        }
        let mounted = Set((container?["volumeMounts"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue })
        for volume in pod?["spec"]?["volumes"]?.arrayValue ?? [] where mounted.contains(volume["name"]?.stringValue ?? "") {
            let projected = volume["projected"]?["sources"]?.arrayValue ?? []
            var references: [Reference] = []
            if secretFiles == nil {
                references += Self.items(.secret, volume["secret"], nameField: "secretName")
                references += projected.flatMap { Self.items(.secret, $0["secret"]) }
            }
            references += Self.items(.configMap, volume["configMap"])
            references += projected.flatMap { Self.items(.configMap, $0["configMap"]) }
            volumes += references.map { var reference = $0; reference.volume = volume["name"]?.stringValue; return reference }
        }
    }

    /// What a volume source needs: the object, and each key its `items` name (a missing one
    /// fails the mount as a missing object does).
    private static func items(_ kind: Kind, _ source: JSONValue?, nameField: String = "name") -> [Reference] {
        guard let whole = reference(kind, source, nameField: nameField) else { return [] }
        let keys = (source?["items"]?.arrayValue ?? []).compactMap { $0["key"]?.stringValue }
        return keys.isEmpty ? [whole] : keys.map { Reference(kind: kind, name: whole.name, key: $0) }
    }

    /// The object `source` names, unless it is `optional`. A `secret` volume names its
    /// Secret in `secretName`; everything else in `name`.
    private static func reference(_ kind: Kind, _ source: JSONValue?, key: String? = nil, nameField: String = "name") -> Reference? {
        guard let source, source["optional"]?.boolValue != true, let name = source[nameField]?.stringValue else { return nil }
        return Reference(kind: kind, name: name, key: key)
    }

    /// Why the container cannot be created yet, with the kubelet's reason and message; nil
    /// when everything it needs exists. `keys` answers an object's keys, nil when absent.
    func problem(namespace: String, keys: (Kind, String) -> Set<String>?) -> (reason: String, message: String?)? {
        // Volumes are mounted before any container is created: the pod waits in ContainerCreating.
        for ref in volumes {
            // The kubelet's volume manager says why in a FailedMount Event, not in the status.
            guard let present = keys(ref.kind, ref.name) else {
                return ("ContainerCreating", Self.mountFailure(ref, "\(ref.kind.resource) \"\(ref.name)\" not found"))
            }
            if let key = ref.key, !present.contains(key) {
                return ("ContainerCreating", Self.mountFailure(ref, "references non-existent \(ref.kind.resource) key: \(key)"))
            }
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

    /// The message of the kubelet's `FailedMount` Event.
    private static func mountFailure(_ ref: Reference, _ why: String) -> String {
        "MountVolume.SetUp failed for volume \"\(ref.volume ?? "")\" : \(why)"
    }
}
