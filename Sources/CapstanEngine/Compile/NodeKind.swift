import CapstanAPI

/// What a node does: run pods (a task, or a map of tasks), or wait without a pod. Each kind
/// has its own handler in `GraphWalker`.
public enum NodeKind: Sendable {
    case task
    /// Succeeds once the duration has passed since the node started.
    case sleep(SpecDuration)
    /// Waits for `spec.approvals`; the message is shown in the node's status meanwhile.
    case approval(CompiledApproval)
    /// Runs the named WorkflowTemplate as a child Workflow per attempt (and per map item); the
    /// node follows the child (SPEC §11).
    case subWorkflow(template: String)

    /// Runs a pod: counts against `parallelism`, has attempts, retries and outputs.
    public var runsPods: Bool {
        if case .task = self { return true }
        return false
    }

    /// Has attempts, retries and outputs, each attempt a pod or a child Workflow.
    public var runsAttempts: Bool {
        switch self {
        case .task, .subWorkflow: return true
        case .sleep, .approval: return false
        }
    }

    /// `sleep` or `approval`, as error messages name the kind; nil for a task.
    public var pauseName: String? {
        switch self {
        case .task, .subWorkflow: return nil
        case .sleep: return "sleep"
        case .approval: return "approval"
        }
    }
}

public struct CompiledApproval: Sendable {
    /// Nil shows a plain "waiting for approval".
    public let message: Template?
    /// Nil waits as long as the workflow runs.
    public let timeout: SpecDuration?
}
