import CapstanAPI

/// One run of a CronWorkflow as the controller observed it: a Workflow it owns.
public struct ObservedRun: Sendable, Hashable {
    public var name: String
    public var phase: WorkflowPhase
    public var finishedAt: Timestamp?
    /// It has a deletionTimestamp: neither active nor kept in the history any more.
    public var isDeleting: Bool

    public init(name: String, phase: WorkflowPhase, finishedAt: Timestamp? = nil, isDeleting: Bool = false) {
        self.name = name
        self.phase = phase
        self.finishedAt = finishedAt
        self.isDeleting = isDeleting
    }
}
