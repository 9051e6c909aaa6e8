import CapstanAPI

/// Table cells kube's printers compute rather than read from one field: a node's readiness
/// and roles, a Deployment's ready replicas out of those wanted.
enum BuiltinCells {
    static func cell(_ column: String, type: ResourceType, object: JSONValue) -> JSONValue? {
        switch (type.group, type.plural, column) {
        case ("", "nodes", "Status"):
            let ready = object["status"]?["conditions"]?.arrayValue?.first { $0["type"] == "Ready" }
            var status = ready?["status"] == "True" ? "Ready" : "NotReady"
            if object["spec"]?["unschedulable"]?.boolValue == true { status += ",SchedulingDisabled" }
            return .string(status)
        case ("", "nodes", "Roles"):
            let prefix = "node-role.kubernetes.io/"
            let labels = object["metadata"]?["labels"]?.objectValue ?? [:]
            let roles = labels.keys.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }.sorted()
            return .string(roles.isEmpty ? "<none>" : roles.joined(separator: ","))
        case ("apps", "deployments", "Ready"):
            let ready = object["status"]?["readyReplicas"]?.intValue ?? 0
            let wanted = object["spec"]?["replicas"]?.intValue ?? 1
            return .string("\(ready)/\(wanted)")
        default:
            return nil
        }
    }
}
