import CapstanAPI

/// What the process kubelet runs for a pod: the main container's `command` + `args`, its
/// environment and working directory, with kube's `$(VAR)` references expanded.
struct ContainerCommand: Sendable, Hashable {
    var arguments: [String]
    /// In the container's order; later entries may refer to earlier ones.
    var environment: [EnvironmentVariable]
    var workingDirectory: String?
    /// `terminationMessagePolicy: FallbackToLogsOnError`: a failed task that wrote no
    /// message gets the end of its log instead.
    var fallbackToLogsOnError = false

    struct EnvironmentVariable: Sendable, Hashable {
        var name: String
        var value: String
    }

    /// Reads the container. `fieldRef` values are resolved from the pod (name, namespace,
    /// uid, labels, annotations, node and service account); other `valueFrom` sources
    /// (secrets, config maps, resource fields) are not available to local processes and
    /// leave the variable unset.
    init(container: JSONValue, pod: JSONValue) {
        var environment: [EnvironmentVariable] = []
        var known: [String: String] = [:]
        for entry in container["env"]?.arrayValue ?? [] {
            guard let name = entry["name"]?.stringValue else { continue }
            let value: String?
            if let literal = entry["value"]?.stringValue {
                value = Self.expand(literal, known)
            } else if let path = entry["valueFrom"]?["fieldRef"]?["fieldPath"]?.stringValue {
                value = Self.field(path, of: pod)
            } else if entry["valueFrom"] == nil {
                value = ""
            } else {
                value = nil
            }
            guard let value else { continue }
            environment.append(EnvironmentVariable(name: name, value: value))
            known[name] = value
        }
        let words = (container["command"]?.arrayValue ?? []) + (container["args"]?.arrayValue ?? [])
        arguments = words.compactMap(\.stringValue).map { Self.expand($0, known) }
        self.environment = environment
        workingDirectory = container["workingDir"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        fallbackToLogsOnError = container["terminationMessagePolicy"]?.stringValue == "FallbackToLogsOnError"
    }

    init(arguments: [String], environment: [EnvironmentVariable] = [], workingDirectory: String? = nil) {
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
    }

    /// kube's expansion: `$(NAME)` becomes the variable's value when it is defined and stays
    /// as written otherwise; `$$` escapes a `$`.
    static func expand(_ text: String, _ variables: [String: String]) -> String {
        guard text.contains("$") else { return text }
        var output = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            output += rest[..<dollar]
            let after = rest[rest.index(after: dollar)...]
            if after.first == "$" {
                output += "$"
                rest = after.dropFirst()
            } else if after.first == "(", let close = after.firstIndex(of: ")") {
                let name = String(after[after.index(after: after.startIndex)..<close])
                output += variables[name] ?? "$(\(name))"
                rest = after[after.index(after: close)...]
            } else {
                output += "$"
                rest = after
            }
        }
        return output + rest
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
