import CapstanAPI

/// Exit nodes (`spec.onExit`, SPEC §11): once every main node has ended, whatever the result,
/// the workflow keeps that result in `status.dagResult`, stays `Running` while its exit nodes
/// run, and then takes it — unless an exit node failed after the main nodes succeeded.
extension WorkflowEngine {
    /// Stops the main nodes for an abort, a passed deadline or a FailFast failure. Without
    /// exit nodes the workflow ends now; with them, they run next. An abort given while exit
    /// nodes already run stops them too, so that one that hangs can still be ended.
    func stop(_ status: inout WorkflowStatus, compiled: CompiledWorkflow, pods: [ObservedPod], phase: WorkflowPhase,
              reason: String, message: String, now: Timestamp, output: inout StepOutput) {
        guard compiled.hasExitNodes else {
            stopEverything(&status, pods: pods, phase: phase, reason: reason, message: message, now: now, output: &output)
            return
        }
        if let dag = status.dagResult {
            // Only an abort reaches here once exit nodes run; the one that stopped the main nodes let them run.
            guard dag.reason != reason else { return }
            stopEverything(&status, pods: pods, phase: phase, reason: reason, message: "\(message), while exit nodes ran", now: now, output: &output)
            return
        }
        let mainNodes = Set(compiled.nodes.filter { !$0.isExitNode }.map(\.name))
        abortUnfinished(&status, pods: pods, message: message, now: now, output: &output, including: mainNodes.contains)
        output.event(phase == .aborted ? .normal : .warning, reason, message)
        end(&status, DAGResult(phase: phase, reason: reason, message: message), compiled: compiled, now: now, event: nil, output: &output)
    }

    /// The main nodes have ended with `result`: the workflow ends with it, or keeps it while
    /// its exit nodes run. `event` reports the end, when the workflow ends now.
    func end(_ status: inout WorkflowStatus, _ result: DAGResult, compiled: CompiledWorkflow, now: Timestamp,
             event: WorkflowEvent?, output: inout StepOutput) {
        guard compiled.hasExitNodes else {
            conclude(&status, result, now: now, event: event, output: &output)
            return
        }
        status.dagResult = result
        let names = compiled.nodes.filter(\.isExitNode).map(\.name).joined(separator: ", ")
        output.event(.normal, "ExitNodesStarted", "main nodes ended (\(result.phase.rawValue): \(result.message)); running exit nodes \(names)")
    }

    /// Ends the workflow once its exit nodes have: FailFast stops the others at the first
    /// that fails, and a failed one fails a workflow whose main nodes succeeded.
    func finishExitNodes(_ status: inout WorkflowStatus, dag: DAGResult, compiled: CompiledWorkflow, pods: [ObservedPod],
                         metadata: ObjectMeta, output: inout StepOutput) {
        let exitNodes = compiled.nodes.filter(\.isExitNode)
        let now = output.nowOrStarted(status)
        let failed = exitNodes.filter { status.nodes[$0.name]?.phase == .failed }.map(\.name)
        if let first = failed.first, compiled.failurePolicy == .failFast {
            abortUnfinished(&status, pods: pods, message: "stopped: exit node \(first) failed (failurePolicy FailFast)", now: now,
                            output: &output, including: { compiled[$0]?.isExitNode == true })
        }
        guard exitNodes.allSatisfy({ status.nodes[$0.name]?.phase.isTerminal == true }) else { return }
        var result = dag
        if let first = failed.first {
            let detail = "exit node \(first) failed" + (status.nodes[first]?.message.map { ": \($0)" } ?? "")
            if dag.phase == .succeeded {
                result = DAGResult(phase: .failed, reason: "ExitHandlerFailed", message: "the main nodes succeeded, but \(detail)")
            } else {
                result.message += "; \(detail) too"
            }
        }
        conclude(&status, result, now: now, event: Self.endEvent(result, workflow: metadata.name), output: &output)
    }

    private func conclude(_ status: inout WorkflowStatus, _ result: DAGResult, now: Timestamp, event: WorkflowEvent?,
                          output: inout StepOutput) {
        status.phase = result.phase
        status.reason = result.reason
        status.message = result.message
        status.finishedAt = now
        if let event { output.actions.append(.recordEvent(event)) }
    }

    /// The Event for a workflow that ends after its exit nodes, named as when it ends without them.
    static func endEvent(_ result: DAGResult, workflow: String) -> WorkflowEvent {
        switch result.phase {
        case .succeeded: return WorkflowEvent(.normal, reason: "WorkflowSucceeded", message: "workflow \(workflow) succeeded")
        case .aborted: return WorkflowEvent(.normal, reason: "Aborted", message: result.message)
        default: return WorkflowEvent(.warning, reason: "WorkflowFailed", message: result.message)
        }
    }
}

extension ActionResults {
    /// Exit nodes always run again: they answer to this run's result, not an earlier one's.
    func withoutRecoveringExitNodes(_ compiled: CompiledWorkflow) -> ActionResults {
        guard compiled.hasExitNodes else { return self }
        var results = self
        for node in compiled.nodes where node.isExitNode { results.recoverable[node.name] = nil }
        return results
    }
}

extension WorkflowResultValues {
    /// What exit nodes read: `Failed` for any main DAG that did not succeed, and each main node
    /// that failed, or was stopped while it ran, in the order the spec lists them.
    init(_ dag: DAGResult, status: WorkflowStatus, compiled: CompiledWorkflow) {
        var failures: [JSONValue] = []
        for node in compiled.nodes where !node.isExitNode {
            guard let nodeStatus = status.nodes[node.name] else { continue }
            let reason: String
            switch nodeStatus.phase {
            case .failed: reason = nodeStatus.failures.last?.reason.rawValue ?? "Failed"
            case .aborted where nodeStatus.startedAt != nil: reason = "Aborted"
            default: continue
            }
            failures.append(["node": .string(node.name), "reason": .string(reason), "message": .string(nodeStatus.message ?? "")])
        }
        self.init(phase: dag.phase == .succeeded ? "Succeeded" : "Failed", failures: failures)
    }
}
