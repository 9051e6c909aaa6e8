import CapstanAPI
import CapstanWorker

/// What the process kubelet runs for a pod: the main container's `command` + `args`, its
/// environment and working directory, with kube's `$(VAR)` references expanded, and the
/// Secret keys it needs as variables or files.
struct ContainerCommand: Sendable, Hashable {
    /// `command` + `args` as written; `arguments(_:)` expands them.
    var words: [String]
    /// In the container's order; later entries may refer to earlier ones.
    var variables: [Variable]
    /// Secret items mounted by `subPath` at a file, which a local process finds at that path.
    var secretFiles: [SecretFile]
    var workingDirectory: String?
    /// `terminationMessagePolicy: FallbackToLogsOnError`: a failed task that wrote no
    /// message gets the end of its log instead.
    var fallbackToLogsOnError = false

    struct EnvironmentVariable: Sendable, Hashable {
        var name: String
        var value: String
    }

    struct Variable: Sendable, Hashable {
        enum Source: Sendable, Hashable {
            /// A value as written, `$(VAR)` not yet expanded.
            case literal(String)
            /// A downward API value, already read from the pod.
            case field(String)
            case secret(SecretKey)
        }

        var name: String
        var source: Source
    }

    /// One key of one Secret in the pod's namespace.
    struct SecretKey: Sendable, Hashable {
        var name: String
        var key: String
    }

    struct SecretFile: Sendable, Hashable {
        var path: String
        var secret: SecretKey
    }

    /// Reads the container. `fieldRef` values are resolved from the pod (name, namespace,
    /// uid, labels, annotations, node and service account); `secretKeyRef` values and secret
    /// items mounted at a file come from the Secret when the process starts; other
    /// `valueFrom` sources (config maps, resource fields) and other volumes are not available
    /// to local processes and leave the variable unset.
    init(container: JSONValue, pod: JSONValue) {
        variables = (container["env"]?.arrayValue ?? []).compactMap { entry in
            guard let name = entry["name"]?.stringValue else { return nil }
            let from = entry["valueFrom"]
            if let literal = entry["value"]?.stringValue {
                return Variable(name: name, source: .literal(literal))
            } else if let path = from?["fieldRef"]?["fieldPath"]?.stringValue {
                return Self.field(path, of: pod).map { Variable(name: name, source: .field($0)) }
            } else if let ref = from?["secretKeyRef"], let secret = ref["name"]?.stringValue, let key = ref["key"]?.stringValue {
                return Variable(name: name, source: .secret(SecretKey(name: secret, key: key)))
            } else if from == nil {
                return Variable(name: name, source: .literal(""))
            }
            return nil
        }
        words = ((container["command"]?.arrayValue ?? []) + (container["args"]?.arrayValue ?? [])).compactMap(\.stringValue)
        secretFiles = Self.secretFiles(container: container, pod: pod)
        workingDirectory = container["workingDir"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        fallbackToLogsOnError = container["terminationMessagePolicy"]?.stringValue == "FallbackToLogsOnError"
    }

    /// Every Secret key the process needs, variables first.
    var secretKeys: [SecretKey] {
        variables.compactMap { if case .secret(let key) = $0.source { key } else { nil } } + secretFiles.map(\.secret)
    }

    /// The environment with Secret values filled in from `secrets` (a key missing there
    /// leaves its variable unset), then expanded in order as the kubelet expands it.
    func environment(secrets: [SecretKey: String] = [:]) -> [EnvironmentVariable] {
        var known: [String: String] = [:]
        return variables.compactMap { variable in
            let value: String?
            switch variable.source {
            case .literal(let text): value = Self.expand(text, known)
            case .field(let text): value = text
            case .secret(let key): value = secrets[key]
            }
            guard let value else { return nil }
            known[variable.name] = value
            return EnvironmentVariable(name: variable.name, value: value)
        }
    }

    /// `command` + `args` with `$(VAR)` expanded against `environment`.
    func arguments(_ environment: [EnvironmentVariable]) -> [String] {
        let known = Dictionary(environment.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
        return words.map { Self.expand($0, known) }
    }

    /// The container's mounts of one item of a `secret` or `projected` volume by `subPath`.
    private static func secretFiles(container: JSONValue, pod: JSONValue) -> [SecretFile] {
        let volumes = Dictionary((pod["spec"]?["volumes"]?.arrayValue ?? []).compactMap { volume in
            volume["name"]?.stringValue.map { ($0, volume) }
        }, uniquingKeysWith: { first, _ in first })
        return (container["volumeMounts"]?.arrayValue ?? []).compactMap { mount in
            guard let path = mount["mountPath"]?.stringValue, let item = mount["subPath"]?.stringValue,
                  let volume = mount["name"]?.stringValue.flatMap({ volumes[$0] }) else { return nil }
            let secrets = volume["secret"].map { [$0] } ?? (volume["projected"]?["sources"]?.arrayValue ?? []).compactMap { $0["secret"] }
            for secret in secrets {
                guard let name = secret["secretName"]?.stringValue ?? secret["name"]?.stringValue else { continue }
                // Without `items` every key is a file of its own name.
                if secret["items"] == nil { return SecretFile(path: path, secret: SecretKey(name: name, key: item)) }
                for entry in secret["items"]?.arrayValue ?? [] where entry["path"]?.stringValue == item {
                    if let key = entry["key"]?.stringValue { return SecretFile(path: path, secret: SecretKey(name: name, key: key)) }
                }
            }
            return nil
        }
    }

    /// kube's expansion: `$(NAME)` becomes the variable's value when it is defined and stays
    /// as written otherwise; `$$` escapes a `$`.
    static func expand(_ text: String, _ variables: [String: String]) -> String {
        VariableExpansion.expand(text, variables)
    }

    /// The downward API's `fieldRef` paths that make sense for a local process.
    static func field(_ path: String, of pod: JSONValue) -> String? {
        let metadata = pod["metadata"]
        switch path {
        case "metadata.name": return metadata?["name"]?.stringValue ?? ""
        case "metadata.namespace": return metadata?["namespace"]?.stringValue ?? ""
        case "metadata.uid": return metadata?["uid"]?.stringValue ?? ""
        case "spec.nodeName": return pod["spec"]?["nodeName"]?.stringValue ?? ""
        case "spec.serviceAccountName": return pod["spec"]?["serviceAccountName"]?.stringValue ?? ""
        default:
            for field in ["labels", "annotations"] where path.hasPrefix("metadata.\(field)['") && path.hasSuffix("']") {
                let key = String(path.dropFirst("metadata.\(field)['".count).dropLast(2))
                return metadata?[field]?[key]?.stringValue ?? ""
            }
            return nil
        }
    }
}
