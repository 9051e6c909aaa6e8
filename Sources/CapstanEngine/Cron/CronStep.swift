import CapstanAPI

public struct CronStepInput: Sendable {
    public var metadata: ObjectMeta
    public var compiled: Result<CompiledCron, InvalidWorkflowError>
    public var status: CronWorkflowStatus
    /// The Workflows this CronWorkflow owns (by UID), seen or just created.
    public var runs: [ObservedRun]
    public var now: Timestamp

    public init(metadata: ObjectMeta, compiled: Result<CompiledCron, InvalidWorkflowError>, status: CronWorkflowStatus,
                runs: [ObservedRun], now: Timestamp) {
        self.metadata = metadata
        self.compiled = compiled
        self.status = status
        self.runs = runs
        self.now = now
    }
}

/// What the controller does for a CronWorkflow, in order: Replace's deletes come before
/// the create that replaces them.
public enum CronAction: Sendable, Hashable {
    /// Create a Workflow; AlreadyExists means an earlier reconcile did, so it is done.
    case createRun(name: String, manifest: JSONValue)
    case deleteRun(name: String, reason: RunDeletion)
    case recordEvent(WorkflowEvent)
}

public enum RunDeletion: String, Sendable, Hashable {
    /// Older than the newest `successfulHistoryLimit` or `failedHistoryLimit` finished runs.
    case history = "HistoryLimit"
    /// Still active when the next run was due, under `concurrencyPolicy: Replace`.
    case replaced = "Replaced"
}

public struct CronStepResult: Sendable {
    public var status: CronWorkflowStatus
    public var actions: [CronAction]
    /// Seconds until the next scheduled time; nil when nothing is scheduled (suspended,
    /// invalid), as a change to the CronWorkflow or its runs reconciles it anyway.
    public var requeueAfter: Double?
}
