import CapstanAPI

/// What a step accumulates while it walks the nodes: the actions, the earliest time it must
/// look again, and how many more pods it may start.
struct StepOutput {
    var actions: [EngineAction] = []
    var wakeAt: Timestamp?
    /// Pods this step may still create (the workflow's `parallelism` and the per-step batch).
    var startBudget: Int
    var now: Timestamp?

    mutating func wake(at time: Timestamp?) {
        guard let time else { return }
        if wakeAt == nil || time < wakeAt! { wakeAt = time }
    }

    mutating func event(_ kind: WorkflowEvent.Kind, _ reason: String, _ message: String, node: String? = nil, attemptEnd: AttemptEnd? = nil) {
        actions.append(.recordEvent(WorkflowEvent(kind, reason: reason, message: message, node: node, attemptEnd: attemptEnd)))
    }
}
