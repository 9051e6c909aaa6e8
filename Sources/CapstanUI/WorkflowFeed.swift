import CapstanAPI
import CapstanEngine
import CapstanKube
import Logging
import NIOConcurrencyHelpers

/// The server's one watch of Workflows: an informer whose cache every page reads, and which
/// tells each open page (each Server-Sent Events stream) to look again when its Workflow —
/// or one of its child Workflows — changes. However many people watch, the API server sees
/// one list and one watch; viewers never reach it.
///
/// Signals carry no data, as a controller-runtime request does not: the reader renders from
/// the cache as it is then, so a burst of changes costs one render for a slow viewer (each
/// subscription buffers only the newest signal).
public final class WorkflowFeed: Sendable {
    private let informer: Informer<Workflow>
    private let subscribers = NIOLockedValueBox(Subscribers())
    private let heartbeat: Duration
    private let logger: Logger

    private struct Subscribers {
        var next = 0
        /// By `namespace/name`; "" for every change.
        var byKey: [String: [Int: AsyncStream<Void>.Continuation]] = [:]
    }

    /// Watches Workflows in `namespace`, or in every namespace when it is nil. `heartbeat` is
    /// how often every stream is told to look again anyway, so a stream whose viewer has gone
    /// finds out by failing to write.
    public init(client: any ResourceReader & ResourceWatcher, namespace: String?, heartbeat: Duration = .seconds(15),
                logger: Logger = Logger(label: "capstan.ui.feed")) {
        informer = Informer(client: client, resource: .workflows, namespace: namespace,
                            indexes: ["parent": { workflow in
                                workflow.metadata.labels[ChildWorkflows.parentLabel].map { ["\(workflow.metadata.namespace)/\($0)"] } ?? []
                            }],
                            logger: logger) { Workflow(json: $0) }
        self.heartbeat = heartbeat
        self.logger = logger
    }

    /// Lists, watches and signals until cancelled.
    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.informer.run() }
            group.addTask {
                for await event in self.informer.events() {
                    self.signal(event.key)
                    if let parent = event.summary.metadata.labels[ChildWorkflows.parentLabel] {
                        self.signal("\(event.summary.metadata.namespace)/\(parent)")
                    }
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    do { try await Task.sleep(for: self.heartbeat) } catch { return }
                    self.signalEveryone()
                }
            }
        }
        let open = subscribers.withLockedValue { state in
            defer { state.byKey.removeAll() }
            return state.byKey.values.flatMap(\.values)
        }
        for stream in open { stream.finish() }
        logger.debug("workflow feed stopped")
    }

    /// Returns once the first list is in the cache, so no page says "not found" for a
    /// Workflow that is there.
    public func waitForSync() async { await informer.waitForSync() }

    public var hasSynced: Bool { informer.hasSynced }

    func workflow(namespace: String, name: String) -> Workflow? { informer.get(namespace: namespace, name: name) }

    func all() -> [Workflow] { informer.list() }

    func children(namespace: String, name: String) -> [Workflow] { informer.byIndex("parent", "\(namespace)/\(name)") }

    /// Signals when the Workflow `namespace/name` (or a child of it) may have changed; with
    /// nil, when any Workflow may have. Ends when the feed stops; drop it to unsubscribe.
    func subscribe(namespace: String, name: String) -> AsyncStream<Void> { subscribe(key: "\(namespace)/\(name)") }

    func subscribeToAll() -> AsyncStream<Void> { subscribe(key: "") }

    private func subscribe(key: String) -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = subscribers.withLockedValue { state -> Int in
            state.next += 1
            state.byKey[key, default: [:]][state.next] = continuation
            return state.next
        }
        continuation.onTermination = { [weak self] _ in
            self?.subscribers.withLockedValue { state in
                state.byKey[key]?.removeValue(forKey: id)
                if state.byKey[key]?.isEmpty == true { state.byKey.removeValue(forKey: key) }
            }
        }
        return stream
    }

    private func signal(_ key: String) {
        let targets = subscribers.withLockedValue { Array(($0.byKey[key] ?? [:]).values) + Array(($0.byKey[""] ?? [:]).values) }
        for target in targets { target.yield() }
    }

    private func signalEveryone() {
        let targets = subscribers.withLockedValue { $0.byKey.values.flatMap(\.values) }
        for target in targets { target.yield() }
    }

    /// Open streams, for logs and tests.
    var subscriberCount: Int { subscribers.withLockedValue { $0.byKey.values.map(\.count).reduce(0, +) } }
}
