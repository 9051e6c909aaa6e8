/// One change to a stored object, as watchers receive it.
struct StoredWatchEvent: Sendable {
    enum Kind: String, Sendable {
        case added = "ADDED"
        case modified = "MODIFIED"
        case deleted = "DELETED"
    }

    var kind: Kind
    var object: StoredObject
    /// The object before the change, so filtered watches can tell "left the selection" from "changed".
    var previous: StoredObject?
}

/// Receives the events of one watch. The store calls it while holding its lock, in
/// resourceVersion order, so implementations only queue and must never block.
protocol WatchSink: AnyObject, Sendable {
    func deliver(_ event: StoredWatchEvent)
    /// The starting state or replayed history, handed over before any live event.
    func deliverInitial(_ events: [StoredWatchEvent])
    /// A BOOKMARK: every event up to `resourceVersion` has been delivered.
    func deliverBookmark(resourceVersion: Int, initialEventsEnd: Bool)
}

/// The last events of one resource, oldest first, bounded so memory stays flat.
struct EventHistory {
    private var ring: [StoredWatchEvent?]
    private var start = 0
    private(set) var count = 0
    /// Every event with a resourceVersion above this one is still held.
    private(set) var floor = 0

    init(capacity: Int) { ring = Array(repeating: nil, count: max(1, capacity)) }

    mutating func append(_ event: StoredWatchEvent) {
        if count == ring.count {
            floor = ring[start]!.object.resourceVersion
            ring[start] = event
            start = (start + 1) % ring.count
        } else {
            ring[(start + count) % ring.count] = event
            count += 1
        }
    }

    /// Events newer than `resourceVersion`, or nil when some of them were already dropped.
    func events(after resourceVersion: Int) -> [StoredWatchEvent]? {
        guard resourceVersion >= floor else { return nil }
        var result: [StoredWatchEvent] = []
        var low = 0
        var high = count
        // Binary search for the first event newer than the requested version.
        while low < high {
            let mid = (low + high) / 2
            if ring[(start + mid) % ring.count]!.object.resourceVersion <= resourceVersion { low = mid + 1 } else { high = mid }
        }
        for index in low..<count { result.append(ring[(start + index) % ring.count]!) }
        return result
    }
}
