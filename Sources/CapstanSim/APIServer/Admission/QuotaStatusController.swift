import CapstanAPI
import NIOCore
import Synchronization

/// kube's resource quota controller, reduced to what clients read: each `ResourceQuota`'s
/// `status.hard` (its `spec.hard`) and `status.used`, kept current as pods and quotas change.
/// It watches pods through the store, and quotas through its `presence`; the store calls both
/// under its lock, so they only note the namespace and the work happens later on the
/// background loop. Pod changes in a namespace without a quota are not noted at all.
final class QuotaStatusController: WatchSink {
    let presence = QuotaPresence()
    private let dirty = Mutex<Set<String>>([])
    /// In a struct, not as a bare function value: a function stored in the generic `Mutex`
    /// and read through its `inout` closure is wrapped in two conversion thunks on every
    /// read and written back wrapped, so each call went through all the thunks before it
    /// (a quarter of the sim's CPU in `map-1m` at 50,000 pods).
    private struct Refresh {
        let run: @Sendable (String) -> Void
    }

    private let refresh = Mutex<Refresh?>(nil)
    private let background: any EventLoop

    init(background: any EventLoop) {
        self.background = background
        presence.onChange { [weak self] namespace in self?.markDirty(namespace) }
    }

    /// `refresh` recomputes one namespace's quotas; set once the operations exist.
    func connect(_ refresh: @escaping @Sendable (String) -> Void) {
        self.refresh.withLock { $0 = Refresh(run: refresh) }
    }

    /// Coalesces: a namespace already waiting is not scheduled twice.
    func markDirty(_ namespace: String) {
        guard dirty.withLock({ $0.insert(namespace).inserted }) else { return }
        background.execute { [self] in
            dirty.withLock { _ = $0.remove(namespace) }
            refresh.withLock { $0 }?.run(namespace)
        }
    }

    func deliver(_ event: StoredWatchEvent) {
        let namespace = event.object.namespace
        if presence.hasQuotas(in: namespace) { markDirty(namespace) }
    }

    func deliverInitial(_ events: [StoredWatchEvent]) {
        for event in events { deliver(event) }
    }

    func deliverBookmark(resourceVersion: Int, initialEventsEnd: Bool) {}
}

extension ResourceOperations {
    /// Writes `status.hard` and `status.used` of the namespace's quotas where they changed.
    func refreshQuotaStatus(_ namespace: String) {
        let quotas = quotas(in: namespace)
        guard !quotas.isEmpty, let type = registry.lookup(GroupVersion(group: "", version: "v1"), plural: "resourcequotas") else {
            return
        }
        let used = podUsage(in: namespace)
        for quota in quotas {
            let hard = PodQuotaUsage.quantities(quota["spec"]?["hard"])
            let status: JSONValue = [
                "hard": .object(hard.mapValues { .string($0.text) }),
                "used": .object(Dictionary(uniqueKeysWithValues: hard.keys.map { ($0, .string((used[$0] ?? .zero).text)) })),
            ]
            guard quota["status"] != status, let name = quota["metadata"]?["name"]?.stringValue else { continue }
            _ = try? commitUpdate(Scope(type: type, namespace: namespace), name: name, subresource: "status", dryRun: false) {
                (_, value) throws(StatusError) in
                var updated = value
                updated["status"] = status
                return updated
            }
        }
    }
}
