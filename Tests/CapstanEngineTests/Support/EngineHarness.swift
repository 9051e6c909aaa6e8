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
    var recoverable: [String: RecoverableNode] = [:]
    var steps = 0

    init(_ yaml: String) throws {
        let spec = try YAMLDocuments.load(yaml)[0]
        compiled = WorkflowCompiler.compile(spec)
    }

    var compiledWorkflow: CompiledWorkflow {
        get throws { try compiled.get() }
    }

    /// One reconcile: step until the engine has nothing immediate left to do.
    mutating func reconcile() -> StepResult {
        var facts = StoreFacts()
        facts.recoverable = recoverable
        var result: StepResult
        var rounds = 0
        repeat {
            rounds += 1
            steps += 1
            let observed = pods.values.map(\.pod)
            result = engine.step(StepInput(metadata: metadata, compiled: compiled, status: status, pods: observed, facts: facts, now: now))
            var needsAnotherRound = false
            for action in result.actions {
                switch action {
                case .createPod(let request):
                    guard pods[request.name] == nil else { continue }
                    let s = script(request.node, request.index, request.attempt)
                    var pod = ObservedPod(name: request.name, node: request.node, index: request.index, attempt: request.attempt, phase: s.unschedulable ? .pending : .running)
                    pod.createdAt = now
                    if s.unschedulable { pod.unschedulableSince = now }
                    pods[request.name] = (pod, now.secondsSince1970 + s.duration, s)
                    created.append((request, now.secondsSince1970))
                case .deletePod(let name, _):
                    if pods.removeValue(forKey: name) != nil { deleted.append(name) }
                case .persistOutputs(let key, let outputs):
                    store[key] = outputs
                    facts.persisted.insert(key)
                    needsAnotherRound = true
                case .loadOutputs(let key):
                    if let outputs = store[key] { facts.outputs[key] = outputs; needsAnotherRound = true }
                case .gatherOutputs(let request):
                    var lists: [String: JSONValue] = [:]
                    for name in request.outputNames {
                        lists[name] = .array((0..<request.items.count).map { i in
                            request.items[i] == .succeeded ? (store[request.itemKeyPrefix + "\(i)/outputs.json"]?[name] ?? .null) : .null
                        })
                    }
                    store[request.destination] = lists
                    facts.persisted.insert(request.destination)
                    needsAnotherRound = true
                case .lookupCache(let cacheKey, let entryKey):
                    facts.cacheLookups[cacheKey] = .some(store[entryKey])
                    needsAnotherRound = true
                case .writeCache(let entryKey, let from):
                    store[entryKey] = store[from]
                case .recordEvent(let event):
                    events.append(event)
                }
            }
            status = result.status
            if !needsAnotherRound || rounds > 20 { break }
        } while true
        let running = pods.values.filter { $0.pod.phase == .running || $0.pod.phase == .pending }.count
        maxRunning = max(maxRunning, running)
        return result
    }

    /// Moves time forward to the next thing that happens and finishes pods due by then.
    mutating func advance(by seconds: Double) {
        now = now + seconds
        for (name, entry) in pods where entry.pod.phase == .running && entry.finishAt <= now.secondsSince1970 {
            var pod = entry.pod
            pod.phase = entry.script.outcome
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
