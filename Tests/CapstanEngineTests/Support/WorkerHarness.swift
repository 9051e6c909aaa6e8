import CapstanAPI
@testable import CapstanEngine

/// Drives a workflow with `map.workers` nodes (SPEC §15) the way the controller and its
/// dispatcher would: worker pods are created and start, poll the controller, take the items
/// dispatched to them one at a time and report each attempt as an `ObservedPod` with
/// `isWorkerItem`; the engine's answers (`dispatchItem`, `releaseItem`, `deletePod`) are
/// carried out as the controller would.
struct WorkerHarness {
    /// How one item attempt behaves once a worker takes it.
    struct ItemScript {
        var duration: Double = 1
        var exitCode = 0
        var podReason: String? = nil
        /// Written to the termination message, as the worker reports the item's outputs file.
        var outputs: JSONValue? = nil
    }

    struct Item {
        var pod: ObservedPod
        var finishAt: Double?
        /// The worker pod running it; nil while queued, or once it ended.
        var holder: String?
    }

    var metadata = ObjectMeta(name: "wf", namespace: "ml", uid: "uid-1", generation: 1)
    var compiled: Result<CompiledWorkflow, InvalidWorkflowError>
    var status = WorkflowStatus()
    var engine = WorkflowEngine()
    var now = Timestamp(secondsSince1970: 1_000_000)

    /// Pods as the informer sees them: worker pods, and pods of nodes without workers.
    var pods: [String: ObservedPod] = [:]
    /// Item attempts the dispatcher knows of, by attempt name.
    var items: [String: Item] = [:]
    var itemScript: (_ index: Int, _ attempt: Int) -> ItemScript = { _, _ in ItemScript() }
    /// A worker pod of this slot never starts: its container waits with this reason and message.
    var workerWaiting: (_ slot: Int) -> (reason: String, message: String)? = { _ in nil }
    /// Outputs of a plain (non-worker) pod of a node.
    var taskOutputs: (_ node: String) -> JSONValue? = { _ in nil }

    /// What the dispatcher reports (`ActionResults.workerPools`).
    var listeningSince: Timestamp
    var lastPoll: [String: Timestamp] = [:]
    var idleSince: [String: Timestamp] = [:]
    /// Worker pods poll (and take items) as time passes; false: silent workers.
    var workersPoll = true
    /// Pods deleted are still seen (not yet marked deleting) for this many more reconciles,
    /// as an informer that has not yet delivered the deletion.
    var deletionLag = 0
    private var lagging: [String: (pod: ObservedPod, reconciles: Int)] = [:]

    var created: [PodRequest] = []
    var dispatched: [ItemDispatch] = []
    var deleted: [(name: String, reason: String)] = []
    var released: [String] = []
    var events: [WorkflowEvent] = []
    var store: [String: [String: JSONValue]] = [:]
    var results: [StepResult] = []

    init(_ yaml: String) throws {
        let spec = try YAMLDocuments.load(yaml)[0]
        compiled = WorkflowCompiler.compile(spec)
        listeningSince = now
    }

    // MARK: Names

    func workerName(_ node: String, slot: Int) -> String {
        PodNaming.workerName(workflow: metadata.name, uid: metadata.uid, node: node, slot: slot)
    }

    func itemName(_ node: String, index: Int, attempt: Int) -> String {
        PodNaming.name(workflow: metadata.name, uid: metadata.uid, node: node, index: index, attempt: attempt)
    }

    func isWorker(_ request: PodRequest) -> Bool {
        request.manifest["metadata"]?["labels"]?[PodLabels.worker] != nil
    }

    /// Names of the worker pods ever created.
    var workerNames: Set<String> = []
    var workerPods: [ObservedPod] { pods.values.filter { workerNames.contains($0.name) }.sorted { $0.name < $1.name } }
    var createdWorkers: [PodRequest] { created.filter(isWorker) }
    func node(_ name: String) -> NodeStatus { status.nodes[name] ?? NodeStatus() }

    // MARK: Reconcile

    /// One reconcile, as `StepRounds` runs it: step, carry out what the engine awaits, step
    /// again with the results; then carry out the last round's other actions and keep its status.
    @discardableResult
    mutating func reconcile() -> StepResult {
        var facts = ActionResults()
        var views: [String: WorkerPoolView] = [:]
        if case .success(let workflow) = compiled {
            for node in workflow.nodes where node.map?.workers != nil {
                let mine = Set(pods.values.filter { $0.node == node.name }.map(\.name))
                views[node.name] = WorkerPoolView(
                    listeningSince: listeningSince, lastPoll: lastPoll.filter { mine.contains($0.key) },
                    idleSince: idleSince.filter { mine.contains($0.key) })
            }
        }
        facts.workerPools = views
        facts.dispatcherStartedAt = listeningSince
        let observed = Array(pods.values) + lagging.values.map(\.pod) + items.values.map(\.pod)
        lagging = lagging.compactMapValues { $0.reconciles > 1 ? ($0.pod, $0.reconciles - 1) : nil }
        func step(_ facts: ActionResults) -> StepResult {
            engine.step(StepInput(metadata: metadata, compiled: compiled, status: status, pods: observed, facts: facts, now: now))
        }
        var result = step(facts)
        for _ in 0..<StepRounds.limit {
            let awaited = result.actions.filter(\.awaitsResult)
            if awaited.isEmpty { break }
            for action in awaited { carryOut(action, into: &facts) }
            result = step(facts)
        }
        for action in result.actions where !action.awaitsResult {
            switch action {
            case .deletePod(let name, let reason):
                deleted.append((name, reason))
                if let pod = pods.removeValue(forKey: name) {
                    if deletionLag > 0 { lagging[name] = (pod, deletionLag) }
                    lastPoll[name] = nil
                    idleSince[name] = nil
                    // The dispatcher forgets the item the worker held: it is lost with the pod.
                    for (itemName, item) in items where item.holder == name { items[itemName] = nil }
                }
            case .releaseItem(let name):
                released.append(name)
                items[name] = nil
            case .recordEvent(let event):
                events.append(event)
            default:
                break
            }
        }
        status = WorkflowStatus(json: result.status.json)
        results.append(result)
        return result
    }

    private mutating func carryOut(_ action: EngineAction, into facts: inout ActionResults) {
        switch action {
        case .createPod(let request):
            facts.podCreates[request.name] = .created
            guard pods[request.name] == nil else { return }
            var pod = ObservedPod(name: request.name, node: request.node, index: request.index, attempt: request.attempt, phase: .pending)
            pod.createdAt = now
            if isWorker(request), let slot = PodNaming.workerSlot(request.name, workflow: metadata.name, uid: metadata.uid, node: request.node),
               let waiting = workerWaiting(slot) {
                pod.waitingReason = waiting.reason
                pod.message = waiting.message
            }
            pods[request.name] = pod
            if isWorker(request) { workerNames.insert(request.name) }
            created.append(request)
        case .dispatchItem(let dispatch):
            facts.podCreates[dispatch.name] = .created
            guard items[dispatch.name] == nil else { return }
            var pod = ObservedPod(name: dispatch.name, node: dispatch.node, index: dispatch.index, attempt: dispatch.attempt, phase: .pending)
            pod.isWorkerItem = true
            pod.createdAt = now
            items[dispatch.name] = Item(pod: pod)
            dispatched.append(dispatch)
        default:
            EngineHarness.performStoreAction(action, store: &store, results: &facts)
        }
    }

    // MARK: Time

    /// Moves time on: worker pods that can start do, items end as scripted, and workers that
    /// poll take the queued items one at a time (or go idle).
    mutating func advance(by seconds: Double) {
        now = now + seconds
        for (name, pod) in pods where pod.phase == .pending && pod.waitingReason == nil {
            var pod = pod
            pod.phase = .running
            pod.startedAt = now
            pods[name] = pod
        }
        // Plain pods of other nodes finish after a second.
        for (name, pod) in pods where pod.phase == .running && !workerNames.contains(name) {
            guard let created = pod.createdAt, now - created >= 1 else { continue }
            var done = pod
            done.phase = .succeeded
            done.exitCode = 0
            done.finishedAt = now
            done.terminationMessage = taskOutputs(pod.node)?.jsonString
            pods[name] = done
        }
        for (name, item) in items where item.pod.phase == .running {
            guard let finishAt = item.finishAt, finishAt <= now.secondsSince1970 else { continue }
            let script = itemScript(item.pod.index ?? 0, item.pod.attempt)
            var done = item
            done.pod.phase = script.exitCode == 0 ? .succeeded : .failed
            done.pod.exitCode = script.exitCode
            done.pod.podReason = script.podReason
            done.pod.finishedAt = now
            done.pod.terminationMessage = script.outputs?.jsonString
            done.holder = nil
            items[name] = done
        }
        guard workersPoll else { return }
        for worker in workerPods where worker.phase == .running && !worker.isDeleting {
            lastPoll[worker.name] = now
            if items.values.contains(where: { $0.holder == worker.name }) { continue }
            let queued = items.values.filter { $0.pod.phase == .pending && $0.pod.node == worker.node }
                .sorted { ($0.pod.index ?? 0, $0.pod.attempt) < ($1.pod.index ?? 0, $1.pod.attempt) }
            if let next = queued.first {
                var item = next
                item.pod.phase = .running
                item.pod.startedAt = now
                item.finishAt = now.secondsSince1970 + itemScript(next.pod.index ?? 0, next.pod.attempt).duration
                item.holder = worker.name
                items[next.pod.name] = item
                idleSince[worker.name] = nil
            } else if idleSince[worker.name] == nil {
                idleSince[worker.name] = now
            }
        }
    }

    /// Runs until the workflow ends (or `limit` reconciles pass), a second of simulated time per round.
    @discardableResult
    mutating func runToCompletion(limit: Int = 500, tick: Double = 1) -> WorkflowStatus {
        for _ in 0..<limit {
            let result = reconcile()
            if result.status.phase.isTerminal {
                reconcile()
                return status
            }
            advance(by: tick)
        }
        return status
    }
}

extension JSONValue {
    /// A container's `env` as name → value (literal values only).
    var environment: [String: String] {
        var env: [String: String] = [:]
        for entry in arrayValue ?? [] {
            if let name = entry["name"]?.stringValue { env[name] = entry["value"]?.stringValue ?? "" }
        }
        return env
    }
}

extension ItemDispatch {
    var env: [String: String] { Dictionary(environment.map { ($0.name, $0.value) }, uniquingKeysWith: { _, b in b }) }
}
