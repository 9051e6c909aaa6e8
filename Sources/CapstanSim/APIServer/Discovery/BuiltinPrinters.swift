import CapstanAPI

/// The columns kube's own printers give the built-ins kubectl users look at most, and the
/// cells they compute rather than read from one field: a pod's readiness, restarts and
/// status reason, a node's readiness and roles, a Deployment's replica counts.
enum BuiltinPrinters {
    static let age = PrinterColumn(name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp")

    /// Columns for these built-ins, nil for the rest.
    static func columns(for type: ServedResource) -> [PrinterColumn]? {
        switch (type.group, type.plural) {
        case ("", "pods"):
            return [computed("Ready"), PrinterColumn(name: "Status", type: "string", jsonPath: ".status.phase"),
                    computed("Restarts"), age,
                    PrinterColumn(name: "IP", type: "string", jsonPath: ".status.podIP", priority: 1),
                    PrinterColumn(name: "Node", type: "string", jsonPath: ".spec.nodeName", priority: 1)]
        case ("", "nodes"):
            return [computed("Status"), computed("Roles"), age,
                    PrinterColumn(name: "Version", type: "string", jsonPath: ".status.nodeInfo.kubeletVersion")]
        case ("apps", "deployments"):
            return [computed("Ready"), computed("Up-to-date", type: "integer"), computed("Available", type: "integer"), age]
        default:
            return nil
        }
    }

    /// A computed cell, or nil where the column's JSONPath gives the value.
    static func cell(_ column: String, type: ServedResource, object: JSONValue) -> JSONValue? {
        switch (type.group, type.plural, column) {
        case ("", "pods", "Ready"):
            let statuses = containerStatuses(object)
            let total = object["spec"]?["containers"]?.arrayValue?.count ?? 0
            return .string("\(statuses.filter { $0["ready"]?.boolValue == true }.count)/\(total)")
        case ("", "pods", "Restarts"):
            return .string(String(containerStatuses(object).reduce(0) { $0 + ($1["restartCount"]?.intValue ?? 0) }))
        case ("", "pods", "Status"):
            return podStatusReason(object)
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
        case ("apps", "deployments", "Up-to-date"):
            // A count nobody has set yet shows as 0, as kube's printer shows it.
            return .number(Double(object["status"]?["updatedReplicas"]?.intValue ?? 0))
        case ("apps", "deployments", "Available"):
            return .number(Double(object["status"]?["availableReplicas"]?.intValue ?? 0))
        default:
            return nil
        }
    }

    private static func computed(_ name: String, type: String = "string") -> PrinterColumn {
        PrinterColumn(name: name, type: type, jsonPath: "")
    }

    private static func containerStatuses(_ pod: JSONValue) -> [JSONValue] {
        pod["status"]?["containerStatuses"]?.arrayValue ?? []
    }

    /// What `kubectl get pods` shows as STATUS: the reason when there is one, else the phase
    /// (nil: read from the column's path).
    private static func podStatusReason(_ pod: JSONValue) -> JSONValue? {
        if pod["metadata"]?["deletionTimestamp"] != nil { return "Terminating" }
        if let reason = pod["status"]?["reason"]?.stringValue { return .string(reason) }
        for status in containerStatuses(pod) {
            if let reason = status["state"]?["terminated"]?["reason"]?.stringValue { return .string(reason) }
            if let reason = status["state"]?["waiting"]?["reason"]?.stringValue { return .string(reason) }
        }
        return nil
    }
}
