import Synchronization

/// How many `ResourceQuota` objects each namespace holds, kept by watching them through the
/// store. Pod writes in a namespace without a quota have nothing to admit against and no quota
/// status to refresh, and a big map writes thousands of pods a second; this lets both checks
/// skip the store's lock and the quota list for them.
final class QuotaPresence: WatchSink {
    private let counts = Mutex<[String: Int]>([:])
    /// In a struct for the reason `QuotaStatusController.Refresh` is.
    private struct Listener {
        let changed: @Sendable (String) -> Void
    }

    private let listener = Mutex<Listener?>(nil)

    /// `changed` is called for every change to a quota, with its namespace (whose quota status
    /// needs recomputing); set once, by the quota status controller.
    func onChange(_ changed: @escaping @Sendable (String) -> Void) {
        listener.withLock { $0 = Listener(changed: changed) }
    }

    func hasQuotas(in namespace: String) -> Bool {
        counts.withLock { ($0[namespace] ?? 0) > 0 }
    }

    func deliver(_ event: StoredWatchEvent) {
        let namespace = event.object.namespace
        counts.withLock { counts in
            switch event.kind {
            case .added: counts[namespace, default: 0] += 1
            case .deleted:
                let left = (counts[namespace] ?? 1) - 1
                counts[namespace] = left > 0 ? left : nil
            case .modified: break
            }
        }
        listener.withLock { $0 }?.changed(namespace)
    }

    func deliverInitial(_ events: [StoredWatchEvent]) {
        for event in events { deliver(event) }
    }

    func deliverBookmark(resourceVersion: Int, initialEventsEnd: Bool) {}
}
