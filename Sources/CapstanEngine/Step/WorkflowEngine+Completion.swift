import CapstanAPI

extension WorkflowEngine {
    /// Applies `failurePolicy` and ends the workflow once every node has finished.
    func finish(_ status: inout WorkflowStatus, compiled: CompiledWorkflow, pods: [ObservedPod], facts: ActionResults,
                layout: StorageLayout, metadata: ObjectMeta, output: inout StepOutput) {
        let failed = compiled.nodes.filter { status.nodes[$0.name]?.phase == .failed }.map(\.name)
        if !failed.isEmpty && compiled.failurePolicy == .failFast {
            let first = failed[0]
            let detail = status.nodes[first]?.message.map { ": \($0)" } ?? ""
            stopEverything(&status, pods: pods, phase: .failed, reason: "NodeFailed",
                           message: "node \(first) failed\(detail)", now: output.nowOrStarted(status), output: &output)
            return
        }
        guard status.nodes.values.allSatisfy({ $0.phase.isTerminal }) else { return }
        let now = output.nowOrStarted(status)
        if !failed.isEmpty {
            status.phase = .failed
            status.reason = "NodeFailed"
            status.finishedAt = now
            status.message = "\(failed.count) node\(failed.count == 1 ? "" : "s") failed: \(failed.joined(separator: ", "))"
            output.event(.warning, "WorkflowFailed", status.message!)
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
                    status.phase = .failed
                    status.reason = "OutputsUnresolved"
                    status.finishedAt = now
                    status.message = "cannot resolve spec.outputs.\(name): \(error.description)"
                    output.event(.warning, "WorkflowFailed", status.message!)
                    return
                }
            }
            status.outputs = resolved
        }
        status.phase = .succeeded
        status.reason = "Succeeded"
        status.finishedAt = now
        status.message = "all \(compiled.nodes.count) nodes finished"
        output.event(.normal, "WorkflowSucceeded", "workflow \(metadata.name) succeeded")
    }
}

extension StepOutput {
    /// Steps know `now` through their input; completion code that only has the output reads
    /// it from here, set by `WorkflowEngine.step`.
    func nowOrStarted(_ status: WorkflowStatus) -> Timestamp { now ?? status.startedAt ?? Timestamp(secondsSince1970: 0) }
}
