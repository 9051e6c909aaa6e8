import CapstanAPI

/// What `sleep` and `approval` nodes share: they run no pod; they record when they started,
/// so that a controller restarted meanwhile keeps counting from there rather than starting
/// the wait again; `recoverFrom` may reuse one that succeeded; and they end with a task's
/// events (`NodeStarted`, `NodeSucceeded`, `NodeFailed`). Having no pod they have no attempt,
/// and `capstan_node_attempts_total` counts pods, so their events carry no `attemptEnd`.
struct PauseNode {
    let name: String
    let now: Timestamp
    let facts: ActionResults

    /// Starts a pending node with the key `recoverFrom` compares; true when an earlier
    /// workflow's succeeded node with the same key ended it at once.
    func start(_ status: inout NodeStatus, key: String, waiting: (Timestamp) -> String, output: inout StepOutput) -> Bool {
        status.key = key
        if let recoverable = facts.recoverable[name], recoverable.key == key {
            status.startedAt = now
            status.recovered = true
            succeed(&status, message: "reused from spec.recoverFrom", output: &output)
            return true
        }
        status.phase = .running
        // The status keeps whole seconds; rounding up means a restart never cuts a wait short.
        let startedAt = Timestamp(secondsSince1970: now.secondsSince1970.rounded(.up))
        status.startedAt = startedAt
        status.message = waiting(startedAt)
        output.event(.normal, "NodeStarted", "node \(name) started: \(status.message ?? "")", node: name)
        return false
    }

    /// When the node started; a node adopted without one counts from now.
    func startedAt(_ status: NodeStatus) -> Timestamp { status.startedAt ?? now }

    func succeed(_ status: inout NodeStatus, message: String, output: inout StepOutput) {
        status.phase = .succeeded
        status.finishedAt = now
        status.message = message
        output.event(.normal, "NodeSucceeded", "node \(name) succeeded: \(message)", node: name)
    }

    /// Fails the node with a SPEC reason, recorded as its one failure so that tools reading
    /// `failures` (`capstan get`, dashboards) see it as they see a task's.
    func fail(_ status: inout NodeStatus, reason: FailureReason, message: String, output: inout StepOutput) {
        status.recordFailure(AttemptFailure(attempt: 0, reason: reason, message: message, finishedAt: now))
        status.phase = .failed
        status.finishedAt = now
        status.message = message
        output.event(.warning, "NodeFailed", "node \(name) failed: \(reason.rawValue): \(message)", node: name)
    }

    /// Fails the node for a reason no SPEC reason names (a message that cannot be rendered).
    func broken(_ status: inout NodeStatus, message: String, output: inout StepOutput) {
        status.phase = .failed
        status.finishedAt = now
        status.message = message
        output.event(.warning, "NodeFailed", "node \(name) failed: \(message)", node: name)
    }
}
