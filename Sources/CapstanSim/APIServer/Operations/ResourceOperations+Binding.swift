import CapstanAPI
import CapstanSupport

extension ResourceOperations {
    /// `POST pods/NAME/binding`, as kube's `BindingREST.setPodHostAndAnnotations` does it: one
    /// storage update sets `spec.nodeName`, merges the binding's annotations and records
    /// `PodScheduled=True`, so watchers see the pod bound in a single MODIFIED event. Like kube,
    /// it writes storage directly: no update validation and no generation bump.
    func bind(_ scope: Scope, podName: String, binding: JSONValue, dryRun: Bool = false) throws(StatusError) {
        guard let node = binding["target"]?["name"]?.stringValue, !node.isEmpty else {
            throw StatusError.invalid(scope.type.groupResource, kind: "Binding", name: podName, field: "target.name",
                                      message: "Required value", causeReason: "FieldValueRequired")
        }
        let annotations = binding["metadata"]?["annotations"]?.objectValue ?? [:]
        _ = try store.write(scope.key(podName), selectableFieldPaths: scope.selectableFieldPaths, dryRun: dryRun) {
            (current) throws(StatusError) -> SimObjectStore.WriteAction? in
            guard let current else { throw StatusError.notFound(scope.type.groupResource, podName) }
            if current.isTerminating {
                throw StatusError.conflict(scope.type.groupResource, podName, reason: "pod \(podName) is being deleted, cannot be assigned to a host")
            }
            var pod = current.value()
            if let assigned = pod["spec"]?["nodeName"]?.stringValue, !assigned.isEmpty {
                throw StatusError.conflict(scope.type.groupResource, podName,
                                           reason: "pod \(podName) is already assigned to node \"\(assigned)\"")
            }
            pod["spec"]?["nodeName"] = .string(node)
            if !annotations.isEmpty {
                var merged = pod["metadata"]?["annotations"]?.objectValue ?? [:]
                for (key, value) in annotations { merged[key] = value }
                pod["metadata"]?["annotations"] = .object(merged)
            }
            Self.markScheduled(&pod)
            return .put(pod)
        }
    }

    /// kube's `UpdatePodCondition` with `PodScheduled=True`: an earlier verdict is replaced where
    /// it stands; the transition time is now unless the condition was already true.
    private static func markScheduled(_ pod: inout JSONValue) {
        var conditions = pod["status"]?["conditions"]?.arrayValue ?? []
        let index = conditions.firstIndex { $0["type"]?.stringValue == "PodScheduled" }
        let alreadyTrue = index.map { conditions[$0]["status"]?.stringValue == "True" } ?? false
        let transition = alreadyTrue ? (conditions[index!]["lastTransitionTime"] ?? .null) : .string(UTCTime.now().rfc3339())
        let scheduled: JSONValue = ["type": "PodScheduled", "status": "True", "lastProbeTime": nil,
                                    "lastTransitionTime": transition]
        if let index { conditions[index] = scheduled } else { conditions.append(scheduled) }
        if pod["status"] == nil { pod["status"] = [:] }
        pod["status"]?["conditions"] = .array(conditions)
    }
}
