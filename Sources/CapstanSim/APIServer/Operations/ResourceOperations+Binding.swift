import CapstanAPI
import CapstanSupport

extension ResourceOperations {
    /// POST pods/NAME/binding: what the scheduler does to place a pod on a node.
    func bind(_ scope: Scope, podName: String, binding: JSONValue) throws(StatusError) {
        guard let node = binding["target"]?["name"]?.stringValue, !node.isEmpty else {
            throw StatusError.invalid(scope.type.groupResource, kind: "Binding", name: podName, field: "target.name",
                                      message: "Required value", causeReason: "FieldValueRequired")
        }
        _ = try commitUpdate(scope, name: podName, subresource: nil, dryRun: false) { (current, value) throws(StatusError) in
            if current.isTerminating {
                throw StatusError.conflict(scope.type.groupResource, podName, reason: "pod \(podName) is being deleted, cannot be assigned to a host")
            }
            if let assigned = value["spec"]?["nodeName"]?.stringValue, !assigned.isEmpty {
                throw StatusError.conflict(scope.type.groupResource, podName,
                                           reason: "pod \(podName) is already assigned to node \"\(assigned)\"")
            }
            var updated = value
            updated["spec"]?["nodeName"] = .string(node)
            return updated
        }
        // The binding also records the PodScheduled condition, which lives in status.
        _ = try commitUpdate(scope, name: podName, subresource: "status", dryRun: false) { (_, value) throws(StatusError) in
            var updated = value
            var conditions = (value["status"]?["conditions"]?.arrayValue ?? []).filter { $0["type"]?.stringValue != "PodScheduled" }
            conditions.append(["type": "PodScheduled", "status": "True", "lastProbeTime": nil,
                               "lastTransitionTime": .string(UTCTime.now().rfc3339())])
            updated["status"]?["conditions"] = .array(conditions)
            return updated
        }
    }
}
