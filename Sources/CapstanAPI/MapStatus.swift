/// The state of a map node's items, small by construction: counts, one packed 2-bit phase
/// per item, and retry bookkeeping only for items that failed and are not finished yet.
public struct MapStatus: Sendable, Hashable {
    public var items: ItemPhases
    /// Items between attempts or running a retry, by index.
    public var retrying: [Int: ItemRetry] = [:]
    /// `map.workers`: worker pods that failed (exited with an error, or could not run) and
    /// were replaced; past a bound the node fails rather than replace them for ever.
    public var workerFailures = 0
    /// The failed worker pods already counted in `workerFailures`, until they are gone.
    public var countedWorkerFailures: Set<String> = []

    public init(total: Int) { items = ItemPhases(count: total) }

    public var total: Int { items.count }
    public var running: Int { items.count(of: .running) }
    public var succeeded: Int { items.count(of: .succeeded) }
    public var failed: Int { items.count(of: .failed) }
}

public struct ItemRetry: Sendable, Hashable {
    public var failures: Int
    public var systemFailures: Int
    public var retryAt: Timestamp?

    public init(failures: Int = 0, systemFailures: Int = 0, retryAt: Timestamp? = nil) {
        self.failures = failures
        self.systemFailures = systemFailures
        self.retryAt = retryAt
    }

    /// The attempt number of the item's next (or current) pod.
    public var attempt: Int { failures }
    public var userFailures: Int { failures - systemFailures }
}

public enum ItemPhase: UInt8, Sendable, Hashable {
    case pending = 0, running = 1, succeeded = 2, failed = 3
}
