import CapstanAPI
import NIOCore
import Synchronization

/// One open watch: queues the events the store hands it (under the store's lock, so they
/// arrive in order) and writes them to its output (a connection, or an in-process reader) in
/// batches on the server's event loop.
/// The queue is bounded: a client that stops reading is cut off, as kube-apiserver cuts
/// watchers that fall behind, and resumes from its last resourceVersion.
final class WatchStream: WatchSink {
    private enum Item {
        case event(StoredWatchEvent.Kind, StoredObject)
        case bookmark(Int, initialEventsEnd: Bool)
        case error(StatusError)
    }

    private struct Queue {
        var items: [Item] = []
        var drainScheduled = false
        var finished = false
        var unsentBytes = 0
    }

    let plan: WatchPlan
    private let eventLoop: any EventLoop
    private let output: NIOLoopBound<any StreamOutput>
    private let queue = Mutex(Queue())
    /// Live events may pile up this far (in bytes, not counting the initial state) before the watch is cut.
    private let maximumBacklogBytes: Int

    init(plan: WatchPlan, eventLoop: any EventLoop, output: any StreamOutput, maximumBacklogBytes: Int) {
        self.plan = plan
        self.eventLoop = eventLoop
        self.output = NIOLoopBound(output, eventLoop: eventLoop)
        self.maximumBacklogBytes = maximumBacklogBytes
    }

    func deliver(_ event: StoredWatchEvent) {
        guard let kind = plan.filter.translate(event) else { return }
        enqueue([.event(kind, event.object)], counted: true)
    }

    func deliverInitial(_ events: [StoredWatchEvent]) {
        var items: [Item] = []
        items.reserveCapacity(events.count)
        for event in events {
            if let kind = plan.filter.translate(event) { items.append(.event(kind, event.object)) }
        }
        enqueue(items, counted: false)
    }

    func deliverBookmark(resourceVersion: Int, initialEventsEnd: Bool) {
        enqueue([.bookmark(resourceVersion, initialEventsEnd: initialEventsEnd)], counted: false)
    }

    func deliverError(_ error: StatusError) {
        enqueue([.error(error)], counted: false)
        finish()
    }

    /// Ends the response after whatever is queued.
    func finish() {
        let schedule = queue.withLock { state -> Bool in
            guard !state.finished else { return false }
            state.finished = true
            if state.drainScheduled { return false }
            state.drainScheduled = true
            return true
        }
        if schedule { eventLoop.execute { self.drain() } }
    }

    private func enqueue(_ items: [Item], counted: Bool) {
        guard !items.isEmpty else { return }
        var overflow = false
        let schedule = queue.withLock { state -> Bool in
            guard !state.finished else { return false }
            state.items.append(contentsOf: items)
            if counted {
                for case .event(_, let object) in items { state.unsentBytes += object.bytes.count }
                if state.unsentBytes > maximumBacklogBytes { overflow = true }
            }
            if state.drainScheduled { return false }
            state.drainScheduled = true
            return true
        }
        if overflow { finish() }
        if schedule { eventLoop.execute { self.drain() } }
    }

    private func drain() {
        let (items, finished) = queue.withLock { state -> ([Item], Bool) in
            let items = state.items
            state.items.removeAll(keepingCapacity: true)
            state.unsentBytes = 0
            state.drainScheduled = false
            return (items, state.finished)
        }
        var out: [UInt8] = []
        for item in items {
            switch item {
            case .event(let kind, let object):
                if let table = plan.table {
                    let rendered = table.table(for: [object], resourceVersion: object.resourceVersion, continueToken: nil)
                    ListEncoding.watchEvent(type: kind.rawValue, objectBytes: rendered.serialized(), into: &out)
                } else {
                    ListEncoding.watchEvent(type: kind.rawValue, objectBytes: object.bytes, into: &out)
                }
            case .bookmark(let rv, let initialEventsEnd):
                var metadata: JSONValue = ["resourceVersion": .string(String(rv))]
                if initialEventsEnd { metadata["annotations"] = ["k8s.io/initial-events-end": "true"] }
                let object: JSONValue = ["kind": .string(plan.scope.type.kind), "apiVersion": .string(plan.scope.type.apiVersion),
                                         "metadata": metadata]
                ListEncoding.watchEvent(type: "BOOKMARK", objectBytes: object.serialized(), into: &out)
            case .error(let error):
                ListEncoding.watchEvent(type: "ERROR", objectBytes: error.status.serialized(), into: &out)
            }
        }
        let output = self.output.value
        if !out.isEmpty { output.write(out) }
        if finished { output.end() }
    }
}
