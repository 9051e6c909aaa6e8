import CapstanAPI
import CapstanEngine

/// What the controller keeps of each of its pods: the engine's summary plus which workflow
/// it belongs to. Built from the pod's JSON once per change; the JSON itself is not kept,
/// and what every pod of a workflow repeats is shared (see docs/performance.md for what a
/// tracked pod costs).
public struct TrackedPod: Sendable, Hashable {
    /// The Workflow a pod belongs to, one shared instance for all of its pods: a tracked pod
    /// holds one reference instead of two strings.
    final class Owner: Sendable, Hashable {
        /// `namespace/name` of the Workflow, which the informer's index and the work queue use.
        let workflowKey: String
        /// The UID in the pod's owner reference; nil for a pod without one.
        let workflowUID: String?

        init(workflowKey: String, workflowUID: String?) {
            self.workflowKey = workflowKey
            self.workflowUID = workflowUID
        }

        static func == (a: Owner, b: Owner) -> Bool { a.workflowKey == b.workflowKey && a.workflowUID == b.workflowUID }

        func hash(into hasher: inout Hasher) {
            hasher.combine(workflowKey)
            hasher.combine(workflowUID)
        }

        static let shared = Interner<Owner>()
    }

    let owner: Owner
    public var observed: ObservedPod

    public var workflowKey: String { owner.workflowKey }
    public var workflowUID: String? { owner.workflowUID }

    public init(workflowKey: String, workflowUID: String?, observed: ObservedPod) {
        owner = Owner.shared.intern(Owner(workflowKey: workflowKey, workflowUID: workflowUID))
        self.observed = observed
    }

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
        var observed = ObservedPod(name: name, node: Interner.strings.internIfLong(node), index: index, attempt: attempt, phase: phase)
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
        return TrackedPod(workflowKey: "\(namespace)/\(workflow)", workflowUID: owner?["uid"]?.stringValue, observed: observed)
    }
}
