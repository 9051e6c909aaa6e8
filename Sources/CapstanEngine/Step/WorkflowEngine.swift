import CapstanAPI

/// Everything one step looks at. The controller gathers it; tests write it by hand.
public struct StepInput: Sendable {
    public var metadata: ObjectMeta
    public var compiled: Result<CompiledWorkflow, InvalidWorkflowError>
    public var status: WorkflowStatus
    /// This workflow's pods, as the controller's cache sees them.
    public var pods: [ObservedPod]
    /// The child Workflows of its sub-workflow nodes (`isChildWorkflow`), summarised like pods.
    public var children: [ObservedPod] = []

    /// Pods and children together, for what stops or ends every attempt; no copy of a large
    /// map's pods when there are no children.
    var podsAndChildren: [ObservedPod] { children.isEmpty ? pods : pods + children }
    public var facts: ActionResults
    public var now: Timestamp

    public init(metadata: ObjectMeta, compiled: Result<CompiledWorkflow, InvalidWorkflowError>, status: WorkflowStatus,
                pods: [ObservedPod] = [], facts: ActionResults = ActionResults(), now: Timestamp) {
        self.metadata = metadata
        self.compiled = compiled
        self.status = status
        self.pods = pods
        self.facts = facts
        self.now = now
    }
}

/// The heart of Capstan: a pure function from what is observed to the new status and the
/// actions that move the workflow on. No I/O, no clock, no randomness.
public struct WorkflowEngine: Sendable {
    public var config: EngineConfig

    public init(config: EngineConfig = EngineConfig()) { self.config = config }

    public func step(_ input: StepInput) -> StepResult {
        var status = input.status
        let now = input.now
        if input.metadata.deletionTimestamp != nil {
            let layout = StorageLayout(
                namespace: input.metadata.namespace, workflow: input.metadata.name, uid: input.metadata.uid, storeURL: config.storeURL)
            return StepResult(status: status, actions: StoreCollection.whileDeleting(input.metadata, layout: layout, results: input.facts), requeueAfter: nil)
        }
        let compiled: CompiledWorkflow
        switch input.compiled {
        case .failure(let error):
            return invalid(status, error: error, input: input)
        case .success(let value):
            compiled = value
        }
        let layout = StorageLayout(
            namespace: input.metadata.namespace, workflow: input.metadata.name, uid: input.metadata.uid, storeURL: config.storeURL)
        var output = StepOutput(startBudget: config.maxPodCreatesPerStep, now: now)
        let podsByNode = PodList.byNode(input.pods)
        let podsAndChildren = input.podsAndChildren
        if let finalizer = StoreCollection.finalizerAction(input.metadata, policy: compiled.storeGC) { output.actions.append(finalizer) }

        if status.phase.isTerminal {
            collectFinishedPods(compiled, status: status, podsByNode: podsByNode, output: &output)
            NodeArchive.update(&status, compiled: compiled, facts: input.facts, layout: layout, limit: config.detailedNodeLimit, output: &output)
            let expiresIn = expire(compiled, status: status, metadata: input.metadata, now: now, output: &output)
            return StepResult(status: status, actions: output.actions, requeueAfter: expiresIn)
        }
        if status.phase == .pending {
            status.phase = .running
            status.startedAt = status.startedAt ?? now
            status.templateSpec = status.templateSpec ?? compiled.templateSpec
            output.event(.normal, "WorkflowStarted", "workflow \(input.metadata.name) started")
        }
        status.observedGeneration = input.metadata.generation
        // A large DAG's status leaves its waiting nodes out: room for them all at once, not
        // by repeated doubling, each of which rehashes every node.
        status.nodes.reserveCapacity(compiled.nodes.count)
        for index in compiled.nodes.indices {
            let name = compiled.nodes[index].name
            if status.nodes[name] == nil { status.nodes[name] = NodeStatus() }
        }

        if compiled.abort {
            stop(&status, compiled: compiled, pods: podsAndChildren, phase: .aborted, reason: "Aborted", message: "aborted by spec.abort", now: now, output: &output)
        } else if let deadline = compiled.activeDeadline, let started = status.startedAt, status.dagResult == nil {
            // Exit nodes run after the deadline has passed, bounded by their own timeouts.
            if now - started >= deadline.seconds {
                stop(&status, compiled: compiled, pods: podsAndChildren, phase: .failed, reason: "DeadlineExceeded",
                     message: "the workflow ran longer than its activeDeadline \(deadline)", now: now, output: &output)
            } else {
                output.wake(at: started + deadline.seconds)
            }
        }
        var facts = input.facts.withoutRecoveringExitNodes(compiled)
        let recoveryReads = facts.resolveArchivedRecoveryKeys { [status] in status.nodes[$0]?.phase.isTerminal != true }
        output.actions += recoveryReads
        if !status.phase.isTerminal && recoveryReads.isEmpty {
            if let parallelism = compiled.parallelism {
                output.startBudget = min(output.startBudget, max(0, parallelism - runningUnits(status, compiled: compiled)))
            }
            var walker = GraphWalker(
                compiled: compiled, metadata: input.metadata, facts: facts, now: now, config: config, layout: layout,
                podsByNode: podsByNode)
            walker.childrenByNode = PodList.byNode(input.children)
            let exitNodesStarted = status.dagResult != nil
            walker.walk(&status, output: &output)
            finish(&status, compiled: compiled, pods: podsAndChildren, facts: input.facts, layout: layout, metadata: input.metadata, output: &output)
            if !exitNodesStarted && status.dagResult != nil && !status.phase.isTerminal {
                // The main nodes have just ended: start the exit nodes now, not a reconcile later.
                var exitWalker = walker
                exitWalker.collectsFinishedPods = false
                exitWalker.walk(&status, output: &output)
                finish(&status, compiled: compiled, pods: podsAndChildren, facts: input.facts, layout: layout, metadata: input.metadata, output: &output)
            }
        }
        NodeArchive.update(&status, compiled: compiled, facts: input.facts, layout: layout, limit: config.detailedNodeLimit, output: &output)
        StatusSummary.update(&status, generation: input.metadata.generation, now: now)
        let requeue = output.wakeAt.map { max(0, $0 - now) }
        return StepResult(status: status, actions: output.actions, requeueAfter: status.phase.isTerminal ? nil : requeue)
    }

    private func invalid(_ status: WorkflowStatus, error: InvalidWorkflowError, input: StepInput) -> StepResult {
        var status = status
        let generation = input.metadata.generation
        if status.phase.isTerminal && status.observedGeneration == generation {
            return StepResult(status: status, actions: [], requeueAfter: nil)
        }
        let problems = error.diagnostics.map(\.description).joined(separator: "; ")
        let message = error.reason == "InvalidSpec" ? "invalid spec: " + problems : problems
        status.phase = .failed
        status.observedGeneration = generation
        status.startedAt = status.startedAt ?? input.now
        status.finishedAt = input.now
        status.message = message
        status.reason = error.reason
        StatusSummary.update(&status, generation: generation, now: input.now)
        let event = WorkflowEvent(.warning, reason: error.reason, message: message)
        return StepResult(status: status, actions: [.recordEvent(event)], requeueAfter: nil)
    }

    /// Aborts every unfinished node and deletes every running pod.
    func stopEverything(_ status: inout WorkflowStatus, pods: [ObservedPod], phase: WorkflowPhase, reason: String,
                        message: String, now: Timestamp, output: inout StepOutput) {
        abortUnfinished(&status, pods: pods, message: message, now: now, output: &output)
        status.phase = phase
        status.finishedAt = now
        status.message = message
        status.reason = reason
        output.event(phase == .aborted ? .normal : .warning, reason, message)
    }

    /// Aborts the unfinished nodes `including` picks and deletes their pods.
    func abortUnfinished(_ status: inout WorkflowStatus, pods: [ObservedPod], message: String, now: Timestamp,
                         output: inout StepOutput, including: (String) -> Bool = { _ in true }) {
        for pod in pods where including(pod.node) { output.collect(pod, saved: .endingNow, podGC: .never) }
        for (name, node) in status.nodes where !node.phase.isTerminal && including(name) {
            var node = node
            node.phase = .aborted
            node.finishedAt = now
            node.message = message
            if var map = node.map {
                // Items cut off count as not succeeded; none is left running.
                for index in map.items.indexes(in: .running) { map.items[index] = .failed }
                map.retrying = [:]
                node.map = map
            }
            status.nodes[name] = node
        }
    }

    /// A finished workflow past its time to live is deleted; before that, the step asks to
    /// be woken when it is due (no scans of old workflows).
    private func expire(_ compiled: CompiledWorkflow, status: WorkflowStatus, metadata: ObjectMeta, now: Timestamp,
                        output: inout StepOutput) -> Double? {
        guard let ttl = compiled.ttlAfterFinished?.seconds ?? config.defaultTTL, let finished = status.finishedAt else { return nil }
        let due = finished + ttl
        guard now >= due else { return due - now }
        output.actions.append(.deleteWorkflow(uid: metadata.uid))
        return nil
    }

    /// Pods running now, for `parallelism`: a sleeping or waiting node holds none.
    private func runningUnits(_ status: WorkflowStatus, compiled: CompiledWorkflow) -> Int {
        compiled.nodes.indices.reduce(0) { total, index in
            guard compiled.nodes[index].kind.runsAttempts, let node = status.nodes[compiled.nodes[index].name] else { return total }
            if let map = node.map { return total + map.running }
            return total + (node.phase == .running && node.retryAt == nil ? 1 : 0)
        }
    }

    /// After the workflow ended: delete the pods `podGC` says to, once their outcome is saved.
    private func collectFinishedPods(_ compiled: CompiledWorkflow, status: WorkflowStatus, podsByNode: [String: PodList], output: inout StepOutput) {
        let collector = PodCollector(podGC: compiled.podGC)
        for (name, pods) in podsByNode {
            collector.collect(pods, of: status.nodes[name] ?? NodeStatus(phase: .aborted), output: &output)
        }
    }
}
