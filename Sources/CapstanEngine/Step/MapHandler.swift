import CapstanAPI

/// Runs a map node: one unit per item of `map.over`, at most `concurrency` at once, each
/// with its own attempts; succeeds when enough items do.
struct MapHandler {
    let stepper: UnitStepper
    let items: [JSONValue]
    let podGC: PodGCPolicy

    func step(_ status: inout NodeStatus, pods: PodList, output: inout StepOutput) {
        let node = stepper.node
        let now = stepper.now
        if status.map == nil, recover(&status, output: &output) { return }
        if status.map == nil {
            status.key = key
            status.map = MapStatus(total: items.count)
            status.phase = .running
            status.startedAt = now
            output.event(.normal, "NodeStarted", "map node \(node.name) started over \(items.count) items", node: node.name)
        }
        guard var map = status.map, map.total == items.count else {
            fail(&status, "map.over changed length while the node was running", output: &output)
            return
        }
        let committed = map
        let podsByIndex = PodsByIndex(pods, total: map.total)
        collectGarbage(pods, committed: committed, output: &output)
        let pool = node.map?.workers.map { MapWorkerPool(stepper: stepper, workers: $0) }
        let workerPods = pool?.workerPods(pods) ?? [:]
        // Rendered for the first item: what every worker pod shares (SPEC §15).
        var shared: PodBuilder.Rendered?
        if pool != nil, !items.isEmpty {
            do {
                shared = try itemStepper(0, workerImage: nil).render()
            } catch {
                fail(&status, "cannot resolve item 0 of node \"\(node.name)\": \(error.description)", output: &output)
                return
            }
        }
        let workerImage = shared?.image
        if let pool, !pool.itemsMayMove(workerPods, output: &output) { return }

        // Running items first, so that finished ones free their slots for new starts.
        for index in running(committed, podsByIndex: podsByIndex) {
            advance(index, map: &map, status: &status, pods: podsByIndex, workerImage: workerImage, output: &output)
            if status.phase == .failed { return }
        }
        let concurrency = pool?.itemLimit ?? node.map?.concurrency ?? Int.max
        var waitingRetries = map.retrying.filter { map.items[$0.key] == .pending }.sorted { $0.key < $1.key }.map(\.key)
        var cursor = 0
        let pendingBefore = map.items.count(of: .pending)
        while map.running < concurrency, output.startBudget > 0, status.mayCreatePods(now: now, output: &output) {
            let index: Int
            if let next = waitingRetries.first {
                waitingRetries.removeFirst()
                index = next
            } else if let next = map.items.nextIndex(of: .pending, from: cursor, skipping: map.retrying) {
                index = next
                cursor = next + 1
            } else {
                break
            }
            advance(index, map: &map, status: &status, pods: podsByIndex, workerImage: workerImage, output: &output)
            if status.phase == .failed { return }
        }
        if let pool, let shared, let problem = pool.update(workerPods, map: &map, status: &status, rendered: shared, output: &output) {
            status.map = map
            fail(&status, problem, output: &output)
            return
        }
        status.map = map
        status.attempts = max(status.attempts, map.running + map.succeeded + map.failed)
        // Items this reconcile started, and more that could start (below concurrency) but wait
        // for the next one: the creates it could send were what held them back.
        let pending = map.items.count(of: .pending)
        let waiting = pending < pendingBefore && map.running < concurrency ? pending : 0
        APIRateLimit.note(&status, itemsWaiting: waiting, limit: stepper.facts.apiRateLimit)
        finishIfDone(&status, map: map, output: &output)
    }

    /// What `recoverFrom` compares for a map: the node as written, its items, and the outputs
    /// of the nodes it reads.
    var key: String {
        let upstream = JSONValue.object(stepper.scope.nodeOutputs.mapValues(JSONValue.object))
        return SHA256.hex(JSONValue.object(["node": stepper.node.definition, "items": .array(items), "upstream": upstream]).serialized())
    }

    /// Takes the node's result from the workflow named by `spec.recoverFrom` when it ran the
    /// same node over the same items there. Returns true when the node is settled (or waiting
    /// for the store).
    private func recover(_ status: inout NodeStatus, output: inout StepOutput) -> Bool {
        let node = stepper.node
        guard let recoverable = stepper.facts.recoverable[node.name], let map = recoverable.map, recoverable.key == key else { return false }
        if !node.outputs.isEmpty {
            let destination = stepper.layout.outputsKey(node.name)
            if !stepper.facts.persisted.contains(destination) {
                guard let source = recoverable.outputsKey else { return false }
                if let outputs = stepper.facts.outputs[source] {
                    output.actions.append(.persistOutputs(key: destination, outputs: outputs))
                } else {
                    output.actions.append(.loadOutputs(key: source))
                }
                return true
            }
            status.outputsURI = stepper.layout.uri(destination)
        }
        status.map = map
        status.key = key
        status.phase = .succeeded
        status.recovered = true
        status.startedAt = stepper.now
        status.finishedAt = stepper.now
        status.message = "\(map.succeeded) of \(map.total) items succeeded (reused from spec.recoverFrom)"
        output.event(.normal, "NodeSucceeded", "map node \(node.name) succeeded by reusing the outputs of spec.recoverFrom", node: node.name, attemptEnd: .succeeded)
        return true
    }

    /// Items needed to succeed: `minSuccessRatio` of the total, rounded up.
    private func requiredSuccesses(_ total: Int) -> Int {
        Int((Double(total) * (stepper.node.map?.minSuccessRatio ?? 1) - 1e-9).rounded(.up))
    }

    private func running(_ map: MapStatus, podsByIndex: PodsByIndex) -> [Int] {
        var indexes = map.items.indexes(in: .running)
        // A pod for an item's current attempt that the saved status still shows pending:
        // the controller stopped before saving its start. Adopt it.
        var adopted: [Int] = []
        for index in podsByIndex.indexes where map.items[index] == .pending {
            if podsByIndex.pod(at: index, attempt: map.retrying[index]?.attempt ?? 0) != nil { adopted.append(index) }
        }
        if !adopted.isEmpty {
            indexes = (indexes + adopted).sorted()
        }
        return indexes
    }

    private func advance(_ index: Int, map: inout MapStatus, status: inout NodeStatus, pods: PodsByIndex, workerImage: String?,
                         output: inout StepOutput) {
        let retry = map.retrying[index] ?? ItemRetry()
        let pod = pods.pod(at: index, attempt: retry.attempt)
        // Most running items just go on running: settle them without building a stepper.
        if map.items[index] == .running, let pod, stepper.config.classifier.isPlainlyRunning(pod) { return }
        var record = UnitRecord(
            phase: map.items[index], userFailures: retry.userFailures, systemFailures: retry.systemFailures, retryAt: retry.retryAt)
        let change = itemStepper(index, workerImage: workerImage).step(&record, pod: pod, output: &output)
        map.items[index] = record.phase
        if record.attempt > 0 && (record.phase == .pending || record.phase == .running) {
            map.retrying[index] = ItemRetry(failures: record.attempt, systemFailures: record.systemFailures, retryAt: record.retryAt)
        } else {
            map.retrying[index] = nil
        }
        let name = stepper.node.name
        switch change {
        case .unchanged, .succeeded:
            break
        case .started:
            status.clearCreateRefusals()
        case .createRefused(let refusal):
            status.recordCreateRefusal(refusal, node: name, now: stepper.now, output: &output)
        case .retrying(let failure):
            status.recordFailure(failure)
            output.event(.warning, "AttemptFailed", "node \(name) item \(index) attempt \(failure.attempt) failed: \(describe(failure)); retrying", node: name,
                         attemptEnd: .retried(system: failure.reason.isSystem))
        case .failed(let failure):
            status.recordFailure(failure)
            output.event(.warning, "ItemFailed", "node \(name) item \(index) failed: \(describe(failure))", node: name, attemptEnd: .failed)
            if map.failed > map.total - requiredSuccesses(map.total) {
                status.map = map
                fail(&status, "\(map.failed) of \(map.total) items failed, more than minSuccessRatio allows; last: item \(index) \(describe(failure))", output: &output)
            }
        case .broken(let message):
            status.map = map
            fail(&status, message, output: &output)
        }
    }

    /// `workerImage`: set for a `map.workers` node, whose items go to its workers.
    private func itemStepper(_ index: Int, workerImage: String?) -> UnitStepper {
        UnitStepper(
            node: stepper.node, index: index, item: items[index], scope: stepper.scope, facts: stepper.facts, now: stepper.now,
            config: stepper.config, layout: stepper.layout, builder: stepper.builder, workerImage: workerImage)
    }

    private func finishIfDone(_ status: inout NodeStatus, map: MapStatus, output: inout StepOutput) {
        guard map.running == 0, map.items.count(of: .pending) == 0 else { return }
        let node = stepper.node
        guard map.succeeded >= requiredSuccesses(map.total) else {
            fail(&status, "\(map.succeeded) of \(map.total) items succeeded, below minSuccessRatio \(node.map?.minSuccessRatio ?? 1)", output: &output)
            return
        }
        if !node.outputs.isEmpty {
            let destination = stepper.layout.outputsKey(node.name)
            guard stepper.facts.persisted.contains(destination) else {
                output.actions.append(.gatherOutputs(GatherRequest(
                    node: node.name, itemKeyPrefix: stepper.layout.nodePrefix(node.name), items: map.items,
                    outputNames: node.outputs, destination: destination)))
                return
            }
            status.outputsURI = stepper.layout.uri(destination)
        }
        status.phase = .succeeded
        status.finishedAt = stepper.now
        status.message = "\(map.succeeded) of \(map.total) items succeeded"
        output.event(.normal, "NodeSucceeded", "map node \(node.name) succeeded: \(status.message!)", node: node.name, attemptEnd: .succeeded)
    }

    private func fail(_ status: inout NodeStatus, _ message: String, output: inout StepOutput) {
        status.phase = .failed
        status.finishedAt = stepper.now
        status.message = message
        output.event(.warning, "NodeFailed", "map node \(stepper.node.name) failed: \(message)", node: stepper.node.name, attemptEnd: .failed)
    }

    private func collectGarbage(_ pods: PodList, committed: MapStatus, output: inout StepOutput) {
        for pod in pods {
            guard let index = pod.index, index >= 0, index < committed.total else { continue }
            let phase = committed.items[index]
            let attempt = committed.retrying[index]?.attempt ?? 0
            let saved: PodDeletion.Saved =
                phase == .succeeded && pod.attempt == attempt ? .succeeded
                : phase == .failed || pod.attempt < attempt ? .failed : .inProgress
            output.collect(pod, saved: saved, podGC: podGC)
        }
    }
}

extension ItemPhases {
    /// The first index at or after `start` in `phase` that is not in `skipping`.
    func nextIndex(of phase: ItemPhase, from start: Int, skipping: [Int: ItemRetry]) -> Int? {
        var from = start
        while let i = firstIndex(of: phase, from: from) {
            if skipping[i] == nil { return i }
            from = i + 1
        }
        return nil
    }
}
