import CapstanAPI

/// Runs a plain task node: one unit, its attempts recorded on the node's status.
struct TaskHandler {
    let stepper: UnitStepper
    let podGC: PodGCPolicy

    func step(_ status: inout NodeStatus, pods: PodList, output: inout StepOutput) {
        let committed = status
        // Between attempts the node is Running but its unit waits for the retry.
        let waitingForRetry = status.phase == .running && status.retryAt != nil
        var record = UnitRecord(
            phase: waitingForRetry ? .pending : ItemPhase(status.phase), userFailures: status.userFailures, systemFailures: status.systemFailures,
            retryAt: status.retryAt)
        collectGarbage(pods, committed: committed, currentAttempt: record.attempt, output: &output)
        let current = pods.first { $0.attempt == record.attempt }
        if record.phase == .pending, current == nil, !status.mayCreatePods(now: stepper.now, output: &output) { return }
        let change = stepper.step(&record, pod: current, output: &output)
        // A pod seen is an attempt that ran, even one whose start a crashed controller never saved.
        if let current { status.attempts = max(status.attempts, current.attempt + 1) }
        status.userFailures = record.userFailures
        status.systemFailures = record.systemFailures
        status.retryAt = record.retryAt
        let now = stepper.now
        let name = stepper.node.name
        switch change {
        case .unchanged:
            if record.phase == .running, status.phase == .pending {
                status.phase = .running
                status.startedAt = status.startedAt ?? now
            }
        case .started(let attempt):
            status.clearCreateRefusals()
            status.logLinks = stepper.logLinks(attempt: attempt, startedAt: now, finishedAt: nil)
            status.phase = .running
            status.attempts = attempt + 1
            status.startedAt = status.startedAt ?? now
            status.key = stepper.recoveryKey()
            output.event(.normal, attempt == 0 ? "NodeStarted" : "NodeRetried", "node \(name) started attempt \(attempt)", node: name)
        case .retrying(let failure):
            status.phase = .running
            status.recordFailure(failure)
            status.logLinks = failure.logLinks
            output.event(.warning, "AttemptFailed", "node \(name) attempt \(failure.attempt) failed: \(describe(failure)); retrying", node: name,
                         attemptEnd: .retried(system: failure.reason.isSystem))
        case .succeeded(let origin):
            status.phase = .succeeded
            status.startedAt = status.startedAt ?? now
            status.finishedAt = now
            status.cached = origin == .cache
            status.recovered = origin == .recovered
            status.key = stepper.recoveryKey()
            status.retryAt = nil
            if origin == .ran, let current {
                status.logLinks = stepper.logLinks(attempt: current.attempt, startedAt: current.startedAt ?? current.createdAt, finishedAt: now)
            }
            if !stepper.node.outputs.isEmpty || stepper.node.settings.cache != nil {
                status.outputsURI = stepper.layout.uri(stepper.layout.outputsKey(name))
            }
            let how = origin == .cache ? " from the cache" : origin == .recovered ? " by reusing the outputs of spec.recoverFrom" : ""
            output.event(.normal, "NodeSucceeded", "node \(name) succeeded\(how)", node: name, attemptEnd: .succeeded)
        case .failed(let failure):
            status.phase = .failed
            status.finishedAt = now
            status.recordFailure(failure)
            status.logLinks = failure.logLinks
            status.message = "attempt \(failure.attempt) failed: \(describe(failure))"
            output.event(.warning, "NodeFailed", "node \(name) failed: \(describe(failure))", node: name, attemptEnd: .failed)
        case .createRefused(let refusal):
            status.recordCreateRefusal(refusal, node: name, now: now, output: &output)
        case .broken(let message):
            status.phase = .failed
            status.finishedAt = now
            status.message = message
            output.event(.warning, "NodeFailed", message, node: name, attemptEnd: .failed)
        }
    }

    /// Deletes pods whose outcome the saved status already holds (`PodDeletion`).
    private func collectGarbage(_ pods: PodList, committed: NodeStatus, currentAttempt: Int, output: inout StepOutput) {
        for pod in pods {
            let saved: PodDeletion.Saved
            if pod.attempt < currentAttempt || committed.phase == .failed {
                saved = .failed
            } else if committed.phase == .succeeded && pod.attempt == currentAttempt {
                saved = .succeeded
            } else {
                saved = .inProgress
            }
            output.collect(pod, saved: saved, podGC: podGC)
        }
    }
}

func describe(_ failure: AttemptFailure) -> String {
    var text = failure.reason.rawValue
    if let code = failure.exitCode { text += " (exit \(code))" }
    if let message = failure.message, !message.isEmpty { text += ": \(message)" }
    return text
}

extension ItemPhase {
    init(_ phase: NodePhase) {
        switch phase {
        case .pending: self = .pending
        case .running: self = .running
        case .succeeded, .skipped: self = .succeeded
        case .failed, .aborted: self = .failed
        }
    }
}
