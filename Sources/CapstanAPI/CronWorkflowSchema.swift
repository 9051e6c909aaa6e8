/// The OpenAPI v3 schema of the CronWorkflow resource and its CustomResourceDefinition
/// (`capstan crd`), built from the same names and enums the decoder reads.
public enum CronWorkflowSchema {
    public static var spec: JSONValue {
        // The API server fills in the decoder's defaults, as it does a CronJob's, so that
        // `kubectl get` shows them (the Suspend column reads false, not <none>).
        let defaults = CronWorkflowSpec(schedule: "", workflowSpec: .null)
        func limit(_ value: Int) -> JSONValue {
            [
                "type": "integer", "minimum": .number(Double(CronWorkflowSpec.historyLimitRange.lowerBound)),
                "maximum": .number(Double(CronWorkflowSpec.historyLimitRange.upperBound)), "default": .number(Double(value)),
            ]
        }
        var policy = WorkflowSchema.string(enum: ConcurrencyPolicy.allCases.map(\.rawValue))
        policy["default"] = .string(defaults.concurrencyPolicy.rawValue)
        return WorkflowSchema.object([
            "schedule": WorkflowSchema.string("Five cron fields (minute hour day-of-month month day-of-week), or @hourly, @daily, @weekly, @monthly, @yearly."),
            "timezone": WorkflowSchema.string("IANA time zone the schedule is read in, such as Europe/Paris. Default UTC."),
            "concurrencyPolicy": policy,
            "startingDeadline": WorkflowSchema.string("A run more than this late is skipped, such as 5m. Default: the most recent missed run runs however late."),
            "successfulHistoryLimit": limit(defaults.successfulHistoryLimit),
            "failedHistoryLimit": limit(defaults.failedHistoryLimit),
            "suspend": ["type": "boolean", "default": .bool(defaults.suspend)],
            // Checked by the controller, not here: a Workflow spec, or one naming a template
            // with templateRef, which the Workflow's schema alone would not accept.
            "workflowSpec": [
                "type": "object", "x-kubernetes-preserve-unknown-fields": true,
                "description": "The spec of the Workflow each run creates, copied verbatim.",
            ],
        ], required: ["schedule", "workflowSpec"])
    }

    public static var status: JSONValue {
        let time: JSONValue = ["type": "string", "format": "date-time"]
        return [
            "type": "object", "x-kubernetes-preserve-unknown-fields": true,
            "properties": [
                "lastScheduleTime": time,
                "active": WorkflowSchema.strings,
                "lastSuccessfulTime": time,
                "conditions": WorkflowSchema.status["properties"]?["conditions"] ?? .null,
            ],
        ]
    }

    public static var customResourceDefinition: JSONValue {
        WorkflowSchema.customResourceDefinition(
            kind: CronWorkflow.kind, plural: CronWorkflow.plural, shortName: CronWorkflow.shortName,
            description: "A schedule that creates a Workflow at each time it names.",
            printerColumns: [
                ["name": "Schedule", "type": "string", "jsonPath": ".spec.schedule"],
                ["name": "Suspend", "type": "boolean", "jsonPath": ".spec.suspend"],
                ["name": "Last Schedule", "type": "date", "jsonPath": ".status.lastScheduleTime"],
                ["name": "Active", "type": "string", "jsonPath": ".status.active"],
            ],
            spec: spec, status: status)
    }
}
