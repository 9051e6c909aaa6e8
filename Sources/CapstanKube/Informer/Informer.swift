import CapstanAPI
import Logging
import NIOConcurrencyHelpers

/// Keeps an in-memory copy of one collection (a resource in a namespace or in all of them,
/// optionally filtered by selectors) by listing it, then watching from the list's
/// resourceVersion. Watches that end or break resume from the last version seen (bookmarks
/// included); a `410 Gone` relists, and the differences are delivered as events.
///
/// Only a caller-chosen `Summary` of each object is kept — for pods, the few fields the
/// controller reads — so tens of thousands of objects fit in little memory. Objects for
/// which `transform` returns nil are not kept.
public final class Informer<Summary: Sendable>: Sendable {
    public typealias Transform = @Sendable (JSONValue) -> Summary?
    public typealias IndexFunction = @Sendable (Summary) -> [String]
    /// The spec a cached summary holds, given the metadata of a watch event for the same
    /// key, while it still applies to that event; nil to decode the event's spec.
    public typealias HeldSpec = @Sendable (_ cached: Summary, _ eventMetadata: JSONValue) -> JSONValue?
    /// Whether an object is one to keep, from its metadata alone.
    public typealias MetadataTest = @Sendable (_ metadata: JSONValue) -> Bool

    let client: any ResourceReader & ResourceWatcher
    public let resource: ResourceType
    public let namespace: String?
    let labelSelector: String?
    let fieldSelector: String?
    let options: InformerOptions
    let transform: Transform
    let heldSpec: HeldSpec?
    let logger: Logger
    let state: NIOLockedValueBox<State>

    struct State: Sendable {
        var cache: InformerCache<Summary>
        var synced = false
        var resourceVersion: String?
        var syncWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextSyncWaiter = 0
        var subscribers: [Int: AsyncStream<InformerEvent<Summary>>.Continuation] = [:]
        var nextSubscriber = 0
        var stats = InformerStats()
        /// Requirements added to `labelSelector` by `narrow(toLabelSelector:)`.
        var narrowing: String?
        /// Set by `narrow(toMetadataPassing:)`.
        var metadataTest: MetadataTest?
    }

    public init(
        client: any ResourceReader & ResourceWatcher,
        resource: ResourceType,
        namespace: String? = nil,
        labelSelector: String? = nil,
        fieldSelector: String? = nil,
        indexes: [String: IndexFunction] = [:],
        options: InformerOptions = InformerOptions(),
        logger: Logger = Logger(label: "capstan.informer"),
        heldSpec: HeldSpec? = nil,
        transform: @escaping Transform
    ) {
        self.heldSpec = heldSpec
        self.client = client
        self.resource = resource
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.options = options
        self.transform = transform
        var logger = logger
        logger[metadataKey: "resource"] = "\(resource)"
        self.logger = logger
        self.state = NIOLockedValueBox(State(cache: InformerCache(indexFunctions: indexes)))
    }

    /// Adds requirements to the label selector, for an informer that learns what it should
    /// hold only after it was made: a sharded controller, once it holds a shard's Lease,
    /// keeps only that shard's pods. Call it before `run()`: a watch already open keeps the
    /// selector it was opened with.
    public func narrow(toLabelSelector requirements: String) {
        state.withLockedValue { state in
            state.narrowing = state.narrowing.map { "\($0),\(requirements)" } ?? requirements
        }
    }

    /// Keeps only the objects whose metadata passes `test`, for what no selector can express:
    /// a sharded controller keeps its shard's Workflows, chosen by a hash of their UIDs. A
    /// refused object's watch events are decoded no further than its metadata (its `spec`
    /// and `status` are stepped over), and an object that stops passing is dropped as if
    /// deleted. Call it before `run()`, once.
    public func narrow(toMetadataPassing test: @escaping MetadataTest) {
        state.withLockedValue { $0.metadataTest = test }
    }

    var metadataTest: MetadataTest? { state.withLockedValue { $0.metadataTest } }

    /// `labelSelector` with what `narrow(toLabelSelector:)` added.
    var currentLabelSelector: String? {
        let narrowing = state.withLockedValue { $0.narrowing }
        guard let narrowing else { return labelSelector }
        return labelSelector.map { "\($0),\(narrowing)" } ?? narrowing
    }

    // MARK: - Reading the cache

    /// True once the first full list has been stored.
    public var hasSynced: Bool { state.withLockedValue { $0.synced } }

    /// Returns when the first full list has been stored (or at once if it has), or when the
    /// task is cancelled: a process told to stop while its API server does not answer stops
    /// rather than waits for a list that may never come.
    public func waitForSync() async {
        let id = state.withLockedValue { state -> Int in
            defer { state.nextSyncWaiter += 1 }
            return state.nextSyncWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLockedValue { state -> Bool in
                    // Cancelled before this point: the handler below found nothing to resume.
                    if state.synced || Task.isCancelled { return true }
                    state.syncWaiters[id] = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            state.withLockedValue { $0.syncWaiters.removeValue(forKey: id) }?.resume()
        }
    }

    public func get(_ key: String) -> Summary? { state.withLockedValue { $0.cache.summary(forKey: key) } }

    public func get(namespace: String?, name: String) -> Summary? {
        get(namespace.map { $0.isEmpty ? name : "\($0)/\(name)" } ?? name)
    }

    public var count: Int { state.withLockedValue { $0.cache.count } }

    public var keys: [String] { state.withLockedValue { Array($0.cache.entries.keys) } }

    public func list() -> [Summary] { state.withLockedValue { $0.cache.entries.values.map(\.summary) } }

    /// The summaries whose index function returned `value` for the index `name`.
    public func byIndex(_ name: String, _ value: String) -> [Summary] {
        byIndex(name, value) { $0 }
    }

    /// `transform` of each summary under `value` of the index `name`, nil ones left out, in
    /// one pass under the lock: a workflow of 100,000 pods gets one array of what it needs,
    /// not a copy of every summary first.
    public func byIndex<Value>(_ name: String, _ value: String, _ transform: (Summary) -> Value?) -> [Value] {
        state.withLockedValue { state in
            let keys = state.cache.keys(inIndex: name, value: value)
            var values: [Value] = []
            values.reserveCapacity(keys.count)
            for key in keys {
                if let summary = state.cache.summary(forKey: key), let value = transform(summary) { values.append(value) }
            }
            return values
        }
    }

    /// The version the cache is at: where the next watch resumes.
    public var lastResourceVersion: String? { state.withLockedValue { $0.resourceVersion } }

    public var stats: InformerStats { state.withLockedValue { $0.stats } }

    /// A stream of every change from now on, starting with an `added` event for each object
    /// already cached, so a late subscriber sees the whole state. Unbounded: consume it.
    public func events() -> AsyncStream<InformerEvent<Summary>> {
        let (stream, continuation) = AsyncStream<InformerEvent<Summary>>.makeStream()
        let id = state.withLockedValue { state -> Int in
            for (key, entry) in state.cache.entries { continuation.yield(.added(key: key, entry.summary)) }
            state.nextSubscriber += 1
            state.subscribers[state.nextSubscriber] = continuation
            return state.nextSubscriber
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLockedValue { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Ends every event stream; called when `run` returns.
    func finishSubscribers() {
        let subscribers = state.withLockedValue { state in
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.finish() }
    }
}

/// Counters that show what the informer went through; tests and logs read them.
public struct InformerStats: Sendable, Hashable {
    /// Full lists, the first one included.
    public var lists = 0
    /// Watch requests started.
    public var watches = 0
    /// Relists forced by an expired resourceVersion (410).
    public var expiredRelists = 0
    /// Failed lists or watches (transport errors, server errors).
    public var failures = 0
}
