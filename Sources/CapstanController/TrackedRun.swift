import CapstanAPI
import CapstanEngine

/// What the CronWorkflow controller keeps of each Workflow labelled `capstan.dev/cron`: the
/// engine's summary, the CronWorkflow it names, and the UID of its controlling owner — a
/// run counts only if it is owned by the CronWorkflow of that name now, not by an earlier
/// one deleted and re-created under the same name.
struct TrackedRun: Sendable, Hashable {
    var namespace: String
    var cron: String
    var ownerUID: String?
    var observed: ObservedRun

    var cronKey: String { "\(namespace)/\(cron)" }

    static func summarize(_ workflow: JSONValue) -> TrackedRun? {
        guard let metadata = workflow["metadata"], let name = metadata["name"]?.stringValue,
            let cron = metadata["labels"]?[CronWorkflow.runLabel]?.stringValue
        else { return nil }
        let owner = metadata["ownerReferences"]?.arrayValue?.first {
            $0["controller"]?.boolValue == true && $0["kind"]?.stringValue == CronWorkflow.kind
        }
        // Two fields only: decoding the whole status would read every node of a large run.
        let phase = workflow["status"]?["phase"]?.stringValue.flatMap(WorkflowPhase.init(rawValue:)) ?? .pending
        let finishedAt = workflow["status"]?["finishedAt"]?.stringValue.flatMap(Timestamp.init(rfc3339:))
        return TrackedRun(
            namespace: metadata["namespace"]?.stringValue ?? "default", cron: cron, ownerUID: owner?["uid"]?.stringValue,
            observed: ObservedRun(name: name, phase: phase, finishedAt: finishedAt,
                                  isDeleting: metadata["deletionTimestamp"] != nil))
    }
}
