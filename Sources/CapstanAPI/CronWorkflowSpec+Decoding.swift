extension CronWorkflowSpec {
    /// The history limits' bound: more finished runs than this are not worth keeping as objects.
    public static let historyLimitRange = 0...1000

    /// Decodes `spec`, collecting every problem instead of stopping at the first.
    public static func decode(_ value: JSONValue, path: String = "spec") -> (CronWorkflowSpec?, [Diagnostic]) {
        let problems = ProblemList()
        guard var reader = FieldReader(value, path: path, problems: problems) else { return (nil, problems.diagnostics) }
        let schedule = reader.string("schedule")
        if schedule == nil { problems.add(reader.child("schedule"), "is required: five cron fields such as \"0 3 * * *\", or @daily") }
        let workflowSpec = reader.raw("workflowSpec")
        if workflowSpec == nil { problems.add(reader.child("workflowSpec"), "is required: the spec of the Workflow each run creates") }
        var spec = CronWorkflowSpec(schedule: schedule ?? "", workflowSpec: workflowSpec ?? .null)
        if let zone = reader.string("timezone") { spec.timezone = zone }
        if let policy = reader.string("concurrencyPolicy") {
            if let parsed = ConcurrencyPolicy(rawValue: policy) {
                spec.concurrencyPolicy = parsed
            } else {
                problems.add(reader.child("concurrencyPolicy"), oneOf(policy, ConcurrencyPolicy.allCases.map(\.rawValue)))
            }
        }
        spec.startingDeadline = reader.duration("startingDeadline")
        if let limit = reader.integer("successfulHistoryLimit", in: historyLimitRange) { spec.successfulHistoryLimit = limit }
        if let limit = reader.integer("failedHistoryLimit", in: historyLimitRange) { spec.failedHistoryLimit = limit }
        spec.suspend = reader.bool("suspend") ?? false
        reader.finish()
        return (problems.diagnostics.isEmpty ? spec : nil, problems.diagnostics)
    }
}
