import CapstanAPI
import CapstanEngine

/// What the controller keeps of each of its pods: the engine's summary plus which workflow
/// it belongs to. Built from the pod's JSON once per change; the JSON itself is not kept,
/// and the strings every pod of a workflow repeats are shared (see docs/performance.md for
/// what a tracked pod costs).
public struct TrackedPod: Sendable, Hashable {
    /// `namespace/name` of the Workflow, interned: one string for all of its pods, which the
    /// informer's index and the work queue use as they are.
    public var workflowKey: String
    public var workflowUID: String?
    public var observed: ObservedPod

    /// Whether the pod is the Workflow's with this UID; a pod without an owner is taken as
    /// the Workflow's of its name.
    public func belongs(toWorkflowUID uid: String) -> Bool { workflowUID == nil || workflowUID == uid }

    public static func summarize(_ pod: JSONValue) -> TrackedPod? {
        guard let metadata = pod["metadata"], let name = metadata["name"]?.stringValue,
            let labels = metadata["labels"]?.objectValue,
            let workflow = labels[PodLabels.workflow]?.stringValue, let node = labels[PodLabels.node]?.stringValue,
            let attempt = labels[PodLabels.attempt]?.stringValue.flatMap({ Int($0) })
        else { return nil }
        let index = labels[PodLabels.index]?.stringValue.flatMap { Int($0) }
        let status = pod["status"] ?? .object([:])
        let phase = status["phase"]?.stringValue.flatMap(ObservedPod.Phase.init(rawValue:)) ?? .pending
        let interner = StringInterner.shared
        var observed = ObservedPod(name: name, node: interner.intern(node), index: index, attempt: attempt, phase: phase)
        observed.createdAt = metadata["creationTimestamp"]?.stringValue.flatMap(Timestamp.init(rfc3339:))
        observed.isDeleting = metadata["deletionTimestamp"] != nil
        observed.podReason = status["reason"]?.stringValue
        observed.message = status["message"]?.stringValue
        for condition in status["conditions"]?.arrayValue ?? [] {
            switch condition["type"]?.stringValue {
            case "DisruptionTarget" where condition["status"]?.stringValue == "True":
                observed.disruptionReason = condition["reason"]?.stringValue
                if observed.message == nil { observed.message = condition["message"]?.stringValue }
            case "PodScheduled" where condition["status"]?.stringValue == "False" && condition["reason"]?.stringValue == "Unschedulable":
                observed.unschedulableSince = condition["lastTransitionTime"]?.stringValue.flatMap(Timestamp.init(rfc3339:)) ?? observed.createdAt
                observed.message = condition["message"]?.stringValue
            default: break
            }
        }
        let main = status["containerStatuses"]?.arrayValue?.first { $0["name"] == "main" }
        if let terminated = main?["state"]?["terminated"] {
            observed.exitCode = terminated["exitCode"]?.intValue
            observed.terminatedReason = terminated["reason"]?.stringValue
            observed.terminationMessage = terminated["message"]?.stringValue
            observed.finishedAt = terminated["finishedAt"]?.stringValue.flatMap(Timestamp.init(rfc3339:))
            if observed.message == nil, observed.terminatedReason == "OOMKilled" {
                observed.message = "the container ran out of memory"
            }
        }
        if let waiting = main?["state"]?["waiting"] {
            observed.waitingReason = waiting["reason"]?.stringValue
            if observed.message == nil { observed.message = waiting["message"]?.stringValue }
        }
        let owner = metadata["ownerReferences"]?.arrayValue?.first { $0["kind"] == "Workflow" }
        let namespace = metadata["namespace"]?.stringValue ?? "default"
        return TrackedPod(workflowKey: interner.intern("\(namespace)/\(workflow)"),
                          workflowUID: owner?["uid"]?.stringValue.map(interner.intern), observed: observed)
    }
}
