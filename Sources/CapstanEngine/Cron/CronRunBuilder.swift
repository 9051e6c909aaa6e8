import CapstanAPI

/// How a run is named and built: a Workflow named `CRON-MINUTES` (the scheduled time in Unix
/// minutes), so that the same scheduled time always names the same Workflow and a create
/// repeated after a restart or a lost status write is refused, never run twice.
enum CronRunBuilder {
    static func name(cron: String, scheduled: Int64) -> String { "\(cron)-\(floorDivide(scheduled, 60))" }

    /// Labelled `capstan.dev/cron: CRON`, owned by the CronWorkflow (deleted with it), and
    /// with the CronWorkflow's `workflowSpec` as its spec, verbatim.
    static func manifest(name: String, cron: ObjectMeta, scheduled: Int64, workflowSpec: JSONValue) -> JSONValue {
        [
            "apiVersion": .string(Workflow.apiVersion),
            "kind": .string(Workflow.kind),
            "metadata": [
                "name": .string(name),
                "namespace": .string(cron.namespace),
                "labels": .object([CronWorkflow.runLabel: .string(cron.name)]),
                "annotations": .object([scheduledTimeAnnotation: .string(Timestamp(secondsSince1970: Double(scheduled)).rfc3339)]),
                "ownerReferences": [[
                    "apiVersion": .string(Workflow.apiVersion), "kind": .string(CronWorkflow.kind),
                    "name": .string(cron.name), "uid": .string(cron.uid),
                    "controller": true, "blockOwnerDeletion": true,
                ]],
            ],
            "spec": workflowSpec,
        ]
    }

    /// The scheduled time the run stands for, in RFC 3339, for people and tools.
    static let scheduledTimeAnnotation = "capstan.dev/scheduled-time"
}
