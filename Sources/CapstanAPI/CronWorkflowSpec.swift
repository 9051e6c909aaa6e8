/// `CronWorkflow.spec` (SPEC §11), decoded: every field typed and defaulted. Whether the
/// schedule, the time zone and the Workflow spec make sense is the engine's `CronCompiler`,
/// which needs the cron parser and the Workflow compiler.
public struct CronWorkflowSpec: Sendable, Hashable {
    /// Five cron fields or a macro such as `@daily`, as written.
    public var schedule: String
    /// An IANA zone name; the schedule is read in this zone's wall-clock time.
    public var timezone: String = "UTC"
    public var concurrencyPolicy: ConcurrencyPolicy = .allow
    /// A run later than this after its scheduled time is skipped; nil runs the most recent
    /// missed run however late.
    public var startingDeadline: SpecDuration?
    public var successfulHistoryLimit: Int = 3
    public var failedHistoryLimit: Int = 1
    public var suspend: Bool = false
    /// Copied verbatim into each run's `spec`.
    public var workflowSpec: JSONValue

    public init(schedule: String, workflowSpec: JSONValue) {
        self.schedule = schedule
        self.workflowSpec = workflowSpec
    }
}

/// What happens when a run is due while an earlier one is still active.
public enum ConcurrencyPolicy: String, Sendable, Hashable, CaseIterable {
    /// Runs overlap.
    case allow = "Allow"
    /// The due run is skipped.
    case forbid = "Forbid"
    /// The active runs are deleted and the due run is created.
    case replace = "Replace"
}
