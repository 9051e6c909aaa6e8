import CapstanAPI
@testable import CapstanEngine

/// Drives the engine the way the controller does, against an in-memory cluster and store,
/// so tests can say "given this workflow and these pod behaviours, this is what happens".
struct EngineHarness {
    /// How a pod for (node, index, attempt) behaves once created.
    struct Script {
        var duration: Double = 1
        var outcome: ObservedPod.Phase = .succeeded
        var exitCode: Int? = nil
        var podReason: String? = nil
        var terminatedReason: String? = nil
        var outputs: JSONValue? = nil
        var unschedulable = false
        /// The main container never starts: it waits with this reason (and message).
        var waiting: (reason: String, message: String)? = nil
        /// A sidecar keeps the pod Running after `main` ends.
        var sidecar = false
        /// The kubelet reports a `FailedMount` Event with this message (the pod waits in ContainerCreating).
        var mountFailure: String? = nil
    }

    var metadata = ObjectMeta(name: "wf", namespace: "ml", uid: "uid-1", generation: 1)
    var compiled: Result<CompiledWorkflow, InvalidWorkflowError>
    var status = WorkflowStatus()
    var engine = WorkflowEngine()
    var now = Timestamp(secondsSince1970: 1_000_000)
    var pods: [String: (pod: ObservedPod, finishAt: Double, script: Script)] = [:]
    var store: [String: [String: JSONValue]] = [:]
    var script: (String, Int?, Int) -> Script = { _, _, _ in Script() }
    /// Every pod created, in order, with the time it was created.
    var created: [(request: PodRequest, at: Double)] = []
    var deleted: [String] = []
    var events: [WorkflowEvent] = []
    var maxRunning = 0
    var workflowDeleted = false
    var recoverable: [String: RecoverableNode] = [:]
    /// What the controller reports of its client-side API rate limit at each reconcile.
    var apiRateLimit: APIRateLimit?
    /// How the API server answers each pod create, given how many pods are pending or
    /// running; every pod is created unless a test says otherwise.
    var createAnswer: (PodRequest, _ activePods: Int) -> PodCreateOutcome = { _, _ in .created }
    var steps = 0

    init(_ yaml: String) throws {
        let spec = try YAMLDocuments.load(yaml)[0]
        compiled = WorkflowCompiler.compile(spec)
    }

    var compiledWorkflow: CompiledWorkflow {
        get throws { try compiled.get() }
    }

    /// One reconcile, as the controller does it (`StepRounds`): step, carry out what the
    /// engine awaits, step again from the same status with the results, until it awaits
    /// nothing; then carry out the last round's other actions and keep its status.
    mutating func reconcile() -> StepResult {
        var results = ActionResults()
        results.recoverable = recoverable
        results.apiRateLimit = apiRateLimit
        // Like the controller's informer, the pods seen are those of before this reconcile.
        let observed = pods.values.map(\.pod)
        func step(_ results: ActionResults) -> StepResult {
            engine.step(StepInput(metadata: metadata, compiled: compiled, status: status, pods: observed, facts: results, now: now))
        }
        var result = step(results)
        steps += 1
        for _ in 0..<StepRounds.limit {
            let awaited = result.actions.filter(\.awaitsResult)
            if awaited.isEmpty { break }
            var active = pods.values.count { $0.pod.phase == .running || $0.pod.phase == .pending }
            for action in awaited { carryOut(action, into: &results, activePods: &active) }
            result = step(results)
            steps += 1
        }
        for action in result.actions where !action.awaitsResult {
            switch action {
            case .deletePod(let name, _):
                if pods.removeValue(forKey: name) != nil { deleted.append(name) }
            case .writeCache(let entryKey, let from):
                store[entryKey] = store[from]
            case .recordEvent(let event):
                events.append(event)
            case .deleteWorkflow:
                workflowDeleted = true
            case .addFinalizer(let name):
                metadata.finalizers.append(name)
            case .removeFinalizer(let name):
                metadata.finalizers.removeAll { $0 == name }
            default:
                break
            }
        }
        // As the controller reads it back: through the status's JSON.
        status = WorkflowStatus(json: result.status.json)
        let running = pods.values.filter { $0.pod.phase == .running || $0.pod.phase == .pending }.count
        maxRunning = max(maxRunning, running)
        return result
    }

    private mutating func carryOut(_ action: EngineAction, into results: inout ActionResults, activePods: inout Int) {
        switch action {
        case .createPod(let request):
            let answer = createAnswer(request, activePods)
            results.podCreates[request.name] = answer
            guard answer == .created, pods[request.name] == nil else { return }
            activePods += 1
            let s = script(request.node, request.index, request.attempt)
            let pending = s.unschedulable || s.waiting != nil
            var pod = ObservedPod(name: request.name, node: request.node, index: request.index, attempt: request.attempt, phase: pending ? .pending : .running)
            pod.createdAt = now
            if s.unschedulable { pod.unschedulableSince = now }
            if let waiting = s.waiting {
                pod.waitingReason = waiting.reason
                pod.message = waiting.message
            }
            if let message = s.mountFailure { pod.mountFailure = MountFailure(at: now, message: message) }
            pods[request.name] = (pod, now.secondsSince1970 + s.duration, s)
            created.append((request, now.secondsSince1970))
        default:
            Self.performStoreAction(action, store: &store, results: &results)
        }
    }

    /// The store's side of an action, as an in-memory store answers it; false for an action
    /// that is not the store's.
    @discardableResult
    static func performStoreAction(_ action: EngineAction, store: inout [String: [String: JSONValue]], results: inout ActionResults) -> Bool {
        switch action {
        case .persistOutputs(let key, let outputs), .writeInputs(let key, let outputs), .archiveNode(let key, let outputs):
            store[key] = outputs
            results.persisted.insert(key)
        case .loadOutputs(let key):
            if let outputs = store[key] { results.outputs[key] = outputs } else { results.absent.insert(key) }
        case .gatherOutputs(let request):
            var lists: [String: JSONValue] = [:]
            for name in request.outputNames {
                lists[name] = .array((0..<request.items.count).map { i in
                    request.items[i] == .succeeded ? (store[request.itemKeyPrefix + "\(i)/outputs.json"]?[name] ?? .null) : .null
                })
            }
            store[request.destination] = lists
            results.persisted.insert(request.destination)
        case .lookupCache(let cacheKey, let entryKey):
            results.cacheLookups[cacheKey] = .some(store[entryKey])
        case .deleteStorePrefix(let prefix):
            store = store.filter { !$0.key.hasPrefix(prefix) }
            results.deletedPrefixes.insert(prefix)
        default:
            return false
        }
        return true
    }

    /// Moves time forward to the next thing that happens and finishes pods due by then.
    mutating func advance(by seconds: Double) {
        now = now + seconds
        for (name, entry) in pods where entry.pod.phase == .running && !entry.pod.mainHasExited && entry.finishAt <= now.secondsSince1970 {
            var pod = entry.pod
            pod.phase = entry.script.sidecar ? .running : entry.script.outcome
            pod.finishedAt = now
            pod.exitCode = entry.script.exitCode ?? (entry.script.outcome == .succeeded ? 0 : 1)
            pod.podReason = entry.script.podReason
            pod.terminatedReason = entry.script.terminatedReason
            pod.terminationMessage = entry.script.outputs?.jsonString
            pods[name] = (pod, entry.finishAt, entry.script)
        }
    }

    /// Runs until the workflow ends (or `limit` reconciles pass), a second of simulated time per round.
    @discardableResult
    mutating func runToCompletion(limit: Int = 2_000, tick: Double = 1) -> WorkflowStatus {
        for _ in 0..<limit {
            let result = reconcile()
            if result.status.phase.isTerminal { _ = reconcile(); return status }
            advance(by: tick)
        }
        return status
    }

    func node(_ name: String) -> NodeStatus { status.nodes[name] ?? NodeStatus() }
    func createdPods(of node: String) -> [PodRequest] { created.map(\.request).filter { $0.node == node } }
}
