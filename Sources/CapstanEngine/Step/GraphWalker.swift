import CapstanAPI

/// Walks the nodes in dependency order and gives each ready node to the handler of its kind.
struct GraphWalker {
    let compiled: CompiledWorkflow
    let metadata: ObjectMeta
    let facts: ActionResults
    let now: Timestamp
    let config: EngineConfig
    let layout: StorageLayout
    let podsByNode: [String: PodList]
    /// Child Workflows of sub-workflow nodes, summarised like pods.
    var childrenByNode: [String: PodList] = [:]
    /// Whether finished nodes' pods are collected: only on a walk from the saved status, so a
    /// pod is never deleted before the status that records its outcome is saved.
    var collectsFinishedPods = true

    func walk(_ status: inout WorkflowStatus, output: inout StepOutput) {
        var base = ExpressionValues(
            inputs: compiled.inputs, workflowName: metadata.name, workflowNamespace: metadata.namespace,
            workflowUID: metadata.uid)
        base.workflowResult = status.dagResult.map { WorkflowResultValues($0, status: status, compiled: compiled) }
        for position in compiled.topologicalOrder {
            // Most nodes of a large DAG have finished or wait for a dependency: they are passed
            // over by name and position, without copying the compiled node (a copy retains each
            // of its many fields: a tenth of a long chain's reconcile once measured).
            let name = compiled.nodes[position].name
            guard var nodeStatus = status.nodes[name] else { continue }
            if nodeStatus.phase.isTerminal {
                if collectsFinishedPods, let pods = podsByNode[name] {
                    PodCollector(podGC: compiled.podGC).collect(pods, of: nodeStatus, output: &output)
                }
                continue
            }
            // Exit nodes wait, pending, until every main node has ended.
            if compiled.nodes[position].isExitNode && status.dagResult == nil { continue }
            let scope: ExpressionValues
            switch readiness(at: position, status: status, base: base, nodeStatus: &nodeStatus, output: &output) {
            case .waiting:
                continue
            case .notNow:
                status.nodes[name] = nodeStatus
                continue
            case .ready(let values):
                scope = values
            }
            let node = compiled.nodes[position]
            let pause = PauseNode(name: node.name, now: now, facts: facts)
            switch node.kind {
            case .task, .subWorkflow:
                stepTask(node, scope: scope, status: &nodeStatus, output: &output)
            case .sleep(let duration):
                SleepHandler(pause: pause, duration: duration).step(&nodeStatus, output: &output)
            case .approval(let approval):
                ApprovalHandler(pause: pause, approval: approval, decision: compiled.approvals[node.name], scope: scope)
                    .step(&nodeStatus, output: &output)
            }
            status.nodes[node.name] = nodeStatus
        }
    }

    /// A task or a map of tasks — of pods, or of child Workflows — through `UnitStepper`.
    private func stepTask(_ node: CompiledNode, scope: ExpressionValues, status nodeStatus: inout NodeStatus, output: inout StepOutput) {
        let pods: PodList
        if node.isDynamic {
            // The child comes first: once it exists, it is what the attempt follows.
            pods = PodList(Array(childrenByNode[node.name] ?? PodList([])) + Array(podsByNode[node.name] ?? PodList([])))
        } else {
            pods = (node.kind.runsPods ? podsByNode[node.name] : childrenByNode[node.name]) ?? PodList([])
        }
        let stepper = UnitStepper(
            node: node, index: nil, item: nil, scope: scope, facts: facts, now: now, config: config, layout: layout,
            builder: PodBuilder(metadata: metadata, layout: layout, config: config))
        if let map = node.map {
            switch itemsOf(map, scope: scope) {
            case .success(let items):
                MapHandler(stepper: stepper, items: items, podGC: compiled.podGC).step(&nodeStatus, pods: pods, output: &output)
            case .failure(let message):
                finish(&nodeStatus, .failed, message: message, output: &output, node: node.name)
            }
        } else {
            TaskHandler(stepper: stepper, podGC: compiled.podGC).step(&nodeStatus, pods: pods, output: &output)
        }
        if nodeStatus.phase == .failed {
            for pod in pods { output.collect(pod, saved: .endingNow, podGC: compiled.podGC) }
        }
    }

    private enum Readiness {
        /// A dependency has not ended: nothing about the node changed.
        case waiting
        /// Not now (its inputs are loading) or never (skipped or aborted, in `nodeStatus`).
        case notNow
        /// It may run, with these values for its templates.
        case ready(ExpressionValues)
    }

    /// Decides whether the node at `position` may run, and builds the values its templates
    /// read. Dependencies are read where the compiled node lies: it is copied only once they
    /// have all ended, so the many waiting nodes of a large DAG cost no copy.
    private func readiness(at position: Int, status: WorkflowStatus, base: ExpressionValues,
                           nodeStatus: inout NodeStatus, output: inout StepOutput) -> Readiness {
        guard nodeStatus.phase == .pending else {
            // Started already: only its inputs, loaded again after a restart, can hold it.
            let loaded = scope(for: compiled.nodes[position], status: status, base: base, output: &output)
            return loaded.map { .ready($0) } ?? .notNow
        }
        let isExitNode = compiled.nodes[position].isExitNode
        // Read only where needed: a join waiting on its last few of thousands passes this loop every step.
        func readsOutputs(_ dependency: String) -> Bool { compiled.nodes[position].dataDependencies.contains(dependency) }
        var skippedData: [String] = []
        var unsucceeded: [String] = []
        for dependency in compiled.nodes[position].dependencies {
            guard let dep = status.nodes[dependency], dep.phase.isTerminal else { return .waiting }
            // An exit node runs whatever became of the main nodes; only their outputs can be missing.
            if isExitNode, compiled[dependency]?.isExitNode == false, dep.phase != .succeeded {
                if readsOutputs(dependency) { unsucceeded.append("\(dependency) (\(dep.phase.rawValue))") }
                continue
            }
            if dep.phase == .failed || dep.phase == .aborted {
                finish(&nodeStatus, .aborted, message: "not run: it depends on \(dependency), which \(dep.phase == .failed ? "failed" : "was aborted")",
                       output: &output, node: compiled.nodes[position].name)
                return .notNow
            }
            if dep.phase == .skipped && readsOutputs(dependency) { skippedData.append(dependency) }
        }
        let name = compiled.nodes[position].name
        if !unsucceeded.isEmpty {
            finish(&nodeStatus, .skipped, message: "skipped: it reads outputs of \(unsucceeded.sorted().joined(separator: ", ")), which did not succeed", output: &output, node: name)
            return .notNow
        }
        if !skippedData.isEmpty {
            finish(&nodeStatus, .skipped, message: "skipped: it reads outputs of skipped node \(skippedData.sorted().joined(separator: ", "))", output: &output, node: name)
            return .notNow
        }
        let node = compiled.nodes[position]
        guard let scope = scope(for: node, status: status, base: base, output: &output) else { return .notNow }
        if let condition = node.when {
            do {
                if try !condition.evaluate(scope) {
                    finish(&nodeStatus, .skipped, message: "skipped: when \"\(node.whenSource ?? "")\" is false", output: &output, node: name)
                    return .notNow
                }
            } catch {
                finish(&nodeStatus, .failed, message: "cannot evaluate when: \(error.description)", output: &output, node: name)
                return .notNow
            }
        }
        return .ready(scope)
    }

    /// The values of the node's data dependencies, loaded from the store; nil while loading.
    private func scope(for node: CompiledNode, status: WorkflowStatus, base: ExpressionValues, output: inout StepOutput) -> ExpressionValues? {
        var scope = base
        var loading = false
        for dependency in node.dataDependencies.sorted() {
            guard let dep = status.nodes[dependency] else { return nil }
            if dep.phase == .skipped {
                scope.skippedNodes.insert(dependency)
                continue
            }
            let key = layout.outputsKey(dependency)
            if let outputs = facts.outputs[key] {
                scope.nodeOutputs[dependency] = outputs
            } else {
                output.actions.append(.loadOutputs(key: key))
                loading = true
            }
        }
        return loading ? nil : scope
    }

    private enum ItemsResult { case success([JSONValue]), failure(String) }

    private func itemsOf(_ map: CompiledMap, scope: ExpressionValues) -> ItemsResult {
        do {
            let value = try map.over.render(scope)
            guard case .array(let items) = value else {
                return .failure("map.over resolved to \(value.typeName == "object" ? "an" : "a") \(value.typeName), not a list")
            }
            return .success(items)
        } catch {
            return .failure("cannot resolve map.over: \(error.description)")
        }
    }

    private func finish(_ status: inout NodeStatus, _ phase: NodePhase, message: String, output: inout StepOutput, node: String) {
        status.phase = phase
        status.finishedAt = now
        status.message = message
        switch phase {
        case .skipped: output.event(.normal, "NodeSkipped", "node \(node) \(message)", node: node)
        case .failed: output.event(.warning, "NodeFailed", "node \(node) failed: \(message)", node: node, attemptEnd: .failed)
        default: output.event(.normal, "NodeNotRun", "node \(node) \(message)", node: node)
        }
    }
}
