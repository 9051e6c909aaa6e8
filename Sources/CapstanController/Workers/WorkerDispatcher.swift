import CapstanAPI
import CapstanEngine
import CapstanWorker
import Metrics
import Synchronization

/// The controller's side of `map.workers` (SPEC §15, docs/workers.md): item attempts the
/// engine dispatched wait here until a worker of their node polls for one; what workers
/// report becomes the engine's observations of those attempts. Nothing here is written to
/// the API server: the status records items as it records pods, once per reconcile.
///
/// Only memory: a controller that restarts learns the state again from the workers' next
/// polls, and the engine holds a map's items still until every running worker has polled.
public final class WorkerDispatcher: Sendable {
    /// When this controller began taking polls.
    public let listeningSince: Timestamp
    private let tokens: WorkerTokenVerifier
    private let now: @Sendable () -> Timestamp
    /// By Workflow, then by node: each item's release finds its Workflow's few pools at once.
    private let pools = Mutex<[WorkflowKey: [String: WorkerPool]]>([:])
    /// Who hears of Workflows whose workers reported something (`changes()`).
    private let subscriber = Mutex<AsyncStream<String>.Continuation?>(nil)
    private let handoffs = Metrics.Timer(label: MetricsCatalog.workerHandoff.name)
    /// Wakes the ready workers' polls of a node when items are dispatched to it.
    private let signals = WorkSignals<PoolKey>()

    struct WorkflowKey: Hashable {
        /// `namespace/name` of the Workflow.
        var workflow: String
        var uid: String
    }

    struct PoolKey: Hashable {
        var workflow: WorkflowKey
        var node: String
    }

    public init(key: [UInt8], now: @escaping @Sendable () -> Timestamp) {
        tokens = WorkerTokenVerifier(key: key)
        self.now = now
        listeningSince = now()
    }

    /// Workflows whose workers reported something, for the controller to reconcile. Each
    /// call starts a new stream and ends the one before (a controller that runs again after
    /// losing its Lease listens anew).
    public func changes() -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(10_000))
        subscriber.withLock { current in
            current?.finish()
            current = continuation
        }
        return stream
    }

    private func announce(_ workflow: String) {
        _ = subscriber.withLock { $0?.yield(workflow) }
    }

    // MARK: The engine's side

    /// Queues an item attempt for its node's workers; a name already known is left as it is.
    public func dispatch(_ dispatch: ItemDispatch, workflow: String, uid: String) {
        let key = PoolKey(workflow: WorkflowKey(workflow: workflow, uid: uid), node: dispatch.node)
        pools.withLock { pools in pools[key.workflow, default: [:]][key.node, default: WorkerPool()].enqueue(dispatch.item) }
        signals.signal(key)
    }

    /// The status records how the attempt ended: its worker is told so on its next poll.
    public func release(_ name: String, workflow: String, uid: String) {
        let workflow = WorkflowKey(workflow: workflow, uid: uid)
        pools.withLock { pools in
            for node in Self.nodes(of: pools, workflow) where pools[workflow]![node]!.release(name) { return }
        }
    }

    /// A worker pod the engine deletes takes no more items.
    public func retire(pod: String, workflow: String, uid: String) {
        let workflow = WorkflowKey(workflow: workflow, uid: uid)
        let nodes = pools.withLock { pools in
            let nodes = Self.nodes(of: pools, workflow)
            for node in nodes { pools[workflow]![node]!.retire(pod) }
            return nodes
        }
        // A retired worker waiting for work is told to stop now.
        for node in nodes { signals.signal(PoolKey(workflow: workflow, node: node)) }
    }

    /// What the workers of the Workflow's `map.workers` nodes report: one observation per item
    /// attempt, and each node's pool. `livePods`: the Workflow's pods that exist and have
    /// not ended; an attempt held by a worker not among them is lost.
    public func observe(workflow: String, uid: String, livePods: () -> Set<String>) -> (items: [ObservedPod], pools: [String: WorkerPoolView]) {
        let workflow = WorkflowKey(workflow: workflow, uid: uid)
        return pools.withLock { pools in
            var items: [ObservedPod] = []
            var views: [String: WorkerPoolView] = [:]
            var live: Set<String>?
            for node in Self.nodes(of: pools, workflow) {
                if live == nil { live = livePods() }
                pools[workflow]![node]!.dropWorkers(notIn: live!)
                let pool = pools[workflow]![node]!
                items += pool.observations(node: node)
                views[node] = pool.view(listeningSince: listeningSince)
            }
            return (items, views)
        }
    }

    /// The Workflow is gone: so are its items.
    public func forget(workflow: String) {
        let keys = pools.withLock { pools in
            // Whatever its UID: a Workflow deleted and created again under its name is gone too.
            let workflows = pools.keys.filter { $0.workflow == workflow }
            var keys: [PoolKey] = []
            for key in workflows {
                keys += (pools.removeValue(forKey: key) ?? [:]).keys.map { PoolKey(workflow: key, node: $0) }
            }
            return keys
        }
        for key in keys { signals.forget(key) }
    }

    /// The nodes of the Workflow's pools, as an array: mutating a pool while iterating the
    /// dictionary's own `keys` would copy every pool, items and all.
    private static func nodes(of pools: [WorkflowKey: [String: WorkerPool]], _ workflow: WorkflowKey) -> [String] {
        pools[workflow].map { Array($0.keys) } ?? []
    }

    // MARK: The workers' side

    public enum PollAnswer: Sendable {
        case assignment(WorkerAssignment)
        /// The token does not match the claims: 401 with this message.
        case refused(String)
    }

    /// Answers a worker's poll; holds a ready worker's poll up to `longPoll` for an item.
    public func poll(_ poll: WorkerPoll, token: String, longPoll: Duration = WorkerProtocol.longPoll) async -> PollAnswer {
        let claims = poll.claims
        guard tokens.accepts(token, for: claims) else {
            return .refused("the token does not match worker pod \(claims.namespace)/\(claims.pod): it was not created by this controller's key")
        }
        let poolKey = PoolKey(workflow: WorkflowKey(workflow: "\(claims.namespace)/\(claims.workflow)", uid: claims.workflowUID), node: claims.node)
        var (answer, news, handoff) = pools.withLock { pools in
            pools[poolKey.workflow, default: [:]][poolKey.node, default: WorkerPool()].poll(poll, now: now())
        }
        if news { announce(poolKey.workflow.workflow) }
        if let handoff { handoffs.record(duration: handoff) }
        guard poll.ready, answer.item == nil, !answer.stop else { return .assignment(answer) }
        // Nothing queued: wait for the engine's next dispatch, up to the long poll.
        let deadline = ContinuousClock.now + longPoll
        while !Task.isCancelled {
            let generation = signals.generation(poolKey)
            let taken = pools.withLock { pools in pools[poolKey.workflow]?[poolKey.node]?.take(for: claims.pod, now: now()) }
            guard let taken else { break }
            if taken.stop || taken.item != nil {
                answer.item = taken.item
                answer.stop = taken.stop
                if taken.item != nil { announce(poolKey.workflow.workflow) }
                if let handoff = taken.handoff { handoffs.record(duration: handoff) }
                break
            }
            let left = deadline - ContinuousClock.now
            guard left > .zero else { break }
            await signals.wait(poolKey, since: generation, timeout: left)
        }
        return .assignment(answer)
    }
}
