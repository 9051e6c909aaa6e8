import CapstanAPI

extension WorkflowEngine {
    /// Applies `failurePolicy` and ends the main DAG once every main node has finished; the
    /// workflow ends then, or once its exit nodes have.
    func finish(_ status: inout WorkflowStatus, compiled: CompiledWorkflow, pods: [ObservedPod], facts: ActionResults,
                layout: StorageLayout, metadata: ObjectMeta, output: inout StepOutput) {
        if let dag = status.dagResult {
            finishExitNodes(&status, dag: dag, compiled: compiled, pods: pods, metadata: metadata, output: &output)
            return
        }
        let mainNodes = compiled.mainNodeNames
        let failed = mainNodes.filter { status.nodes[$0]?.phase == .failed }
        if !failed.isEmpty && compiled.failurePolicy == .failFast {
            let first = failed[0]
            let detail = status.nodes[first]?.message.map { ": \($0)" } ?? ""
            stop(&status, compiled: compiled, pods: pods, phase: .failed, reason: "NodeFailed",
                 message: "node \(first) failed\(detail)", now: output.nowOrStarted(status), output: &output)
            return
        }
        guard mainNodes.allSatisfy({ status.nodes[$0]?.phase.isTerminal == true }) else { return }
        let now = output.nowOrStarted(status)
        if !failed.isEmpty {
            let message = "\(failed.count) node\(failed.count == 1 ? "" : "s") failed: \(failed.joined(separator: ", "))"
            end(&status, DAGResult(phase: .failed, reason: "NodeFailed", message: message), compiled: compiled, now: now,
                event: WorkflowEvent(.warning, reason: "WorkflowFailed", message: message), output: &output)
            return
        }
        if !compiled.outputs.isEmpty {
            var scope = ExpressionValues(
                inputs: compiled.inputs, workflowName: metadata.name, workflowNamespace: metadata.namespace, workflowUID: metadata.uid)
            var loading = false
            let referenced = Set(compiled.outputs.values.flatMap { $0.references.compactMap(\.node) })
            for name in referenced.sorted() {
                if status.nodes[name]?.phase == .skipped { scope.skippedNodes.insert(name); continue }
                let key = layout.outputsKey(name)
                if let outputs = facts.outputs[key] {
                    scope.nodeOutputs[name] = outputs
                } else {
                    output.actions.append(.loadOutputs(key: key))
                    loading = true
                }
            }
            if loading { return }
            var resolved: [String: JSONValue] = [:]
            for (name, value) in compiled.outputs {
                do {
                    resolved[name] = try value.render(scope)
                } catch where error.kind == .skippedNode {
                    resolved[name] = .null
                } catch {
                    let message = "cannot resolve spec.outputs.\(name): \(error.description)"
                    end(&status, DAGResult(phase: .failed, reason: "OutputsUnresolved", message: message), compiled: compiled,
                        now: now, event: WorkflowEvent(.warning, reason: "WorkflowFailed", message: message), output: &output)
                    return
                }
            }
            status.outputs = resolved
        }
        let result = DAGResult(phase: .succeeded, reason: "Succeeded", message: "all \(mainNodes.count) nodes finished")
        end(&status, result, compiled: compiled, now: now,
            event: WorkflowEvent(.normal, reason: "WorkflowSucceeded", message: "workflow \(metadata.name) succeeded"), output: &output)
    }
}

extension StepOutput {
    /// Steps know `now` through their input; completion code that only has the output reads
    /// it from here, set by `WorkflowEngine.step`.
    func nowOrStarted(_ status: WorkflowStatus) -> Timestamp { now ?? status.startedAt ?? Timestamp(secondsSince1970: 0) }
}
