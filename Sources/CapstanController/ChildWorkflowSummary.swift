import CapstanAPI
import CapstanEngine

/// A child Workflow of a sub-workflow node as the engine observes it: summarised like the pod
/// it stands for (SPEC §11), its phase, reason and message, and its `status.outputs` where a
/// pod would have its termination message.
enum ChildWorkflowSummary {
    /// Nil when the object is not a child of the Workflow with `parentUID` (a child of an
    /// earlier Workflow of the same name) or lacks the labels that place it.
    static func observe(_ object: JSONValue, parentUID: String) -> ObservedPod? {
        let metadata = object["metadata"]
        let owners = metadata?["ownerReferences"]?.arrayValue ?? []
        guard owners.contains(where: { $0["uid"]?.stringValue == parentUID }),
              let name = metadata?["name"]?.stringValue,
              let node = metadata?["labels"]?[PodLabels.node]?.stringValue,
              let attempt = metadata?["labels"]?[PodLabels.attempt]?.stringValue.flatMap(Int.init) else { return nil }
        let index = metadata?["labels"]?[PodLabels.index]?.stringValue.flatMap(Int.init)
        let status = WorkflowStatus(json: object["status"])
        let phase: ObservedPod.Phase = switch status.phase {
        case .pending, .running: .running
        case .succeeded: .succeeded
        case .failed, .aborted: .failed
        }
        var child = ObservedPod(name: name, node: node, index: index, attempt: attempt, phase: phase)
        child.isChildWorkflow = true
        child.isDeleting = metadata?["deletionTimestamp"] != nil
        child.createdAt = metadata?["creationTimestamp"]?.stringValue.flatMap(Timestamp.init(rfc3339:))
        child.startedAt = status.startedAt
        child.finishedAt = status.finishedAt
        if status.phase.isTerminal {
            child.podReason = status.reason
            child.message = status.message
        }
        if let outputs = status.outputs { child.terminationMessage = JSONValue.object(outputs).jsonString }
        return child
    }
}
