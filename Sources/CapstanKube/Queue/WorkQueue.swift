/// The controller's queue of keys to reconcile, with client-go's guarantees:
///
/// - a key added several times before a worker takes it is handed out once (deduplication);
/// - a key is never handed to two workers at once: added again while being processed, it is
///   queued again only after `done`;
/// - `add(_:after:)` delays a key; `addRateLimited` delays it by the key's own exponential
///   backoff, which `forget` resets after a success;
/// - after `shutDown`, keys already queued are still handed out, then `next()` returns nil.
///
/// Workers loop: `while let key = await queue.next() { …; await queue.done(key) }`.
public actor WorkQueue<Key: Hashable & Sendable> {
    private let time: any TimeSource
    private let backoff: ItemBackoff
    private let metrics: WorkQueueMetrics

    private var queue: [Key] = []
    private var head = 0
    /// Keys that need processing: queued, or re-added while being processed.
    private var dirty: Set<Key> = []
    private var processing: Set<Key> = []
    /// When each dirty key became ready, for the wait-time metric.
    private var readySince: [Key: Duration] = [:]
    private var failures: [Key: Int] = [:]

    private var delayed = MinHeap<DelayedKey>(by: { $0.readyAt < $1.readyAt })
    /// The earliest ready time of each delayed key; heap entries that disagree are stale.
    private var delayedReadyAt: [Key: Duration] = [:]
    private var timer: Task<Void, Never>?
    private var timerDeadline: Duration?

    private var waiters: [(id: Int, continuation: CheckedContinuation<Key?, Never>)] = []
    private var nextWaiterID = 0
    private var drainWaiters: [CheckedContinuation<Void, Never>] = []
    private var shuttingDown = false

    private struct DelayedKey {
        var key: Key
        var readyAt: Duration
    }

    public init(backoff: ItemBackoff = ItemBackoff(), time: any TimeSource = SystemTimeSource(),
                metrics: WorkQueueMetrics = .swiftMetrics()) {
        self.backoff = backoff
        self.time = time
        self.metrics = metrics
    }

    /// Keys waiting for a worker (not counting delayed or in-process keys).
    public var depth: Int { queue.count - head }
    /// Keys waiting for their delay to pass.
    public var delayedCount: Int { delayedReadyAt.count }
    public var processingCount: Int { processing.count }
    public var isShuttingDown: Bool { shuttingDown }

    public func add(_ key: Key) {
        guard !shuttingDown, !dirty.contains(key) else { return }
        dirty.insert(key)
        readySince[key] = time.now()
        if processing.contains(key) { return }
        enqueue(key)
    }

    /// Adds the key once `delay` has passed. An earlier pending delay for the key wins.
    public func add(_ key: Key, after delay: Duration) {
        guard !shuttingDown else { return }
        guard delay > .zero else { return add(key) }
        let readyAt = time.now() + delay
        if let existing = delayedReadyAt[key], existing <= readyAt { return }
        delayedReadyAt[key] = readyAt
        delayed.insert(DelayedKey(key: key, readyAt: readyAt))
        armTimer()
    }

    /// Adds the key after its backoff: 5 ms after the first failure, doubling each time.
    public func addRateLimited(_ key: Key) {
        let count = failures[key, default: 0]
        failures[key] = count + 1
        add(key, after: backoff.delay(failures: count))
    }

    /// Resets the key's backoff, after it was processed successfully.
    public func forget(_ key: Key) {
        failures[key] = nil
    }

    /// How many times the key went through `addRateLimited` since it was last forgotten.
    public func retries(of key: Key) -> Int { failures[key, default: 0] }

    /// The next key to process, waiting for one if needed; nil once shut down and drained.
    /// The caller must call `done(key)` when finished with it.
    public func next() async -> Key? {
        if let key = takeQueued() { return key }
        if shuttingDown { return nil }
        nextWaiterID += 1
        let id = nextWaiterID
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume(returning: nil)
                } else {
                    waiters.append((id, continuation))
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    /// Marks the key as processed; if it was added meanwhile it is queued again now.
    public func done(_ key: Key) {
        guard processing.remove(key) != nil else { return }
        if dirty.contains(key) {
            enqueue(key)
        } else if processing.isEmpty && depth == 0 {
            let waiting = drainWaiters
            drainWaiters.removeAll()
            for waiter in waiting { waiter.resume() }
        }
    }

    /// Stops accepting keys and drops delayed ones. Queued keys are still handed out.
    public func shutDown() {
        shuttingDown = true
        timer?.cancel()
        timer = nil
        delayed.removeAll()
        delayedReadyAt.removeAll()
        let idle = waiters
        waiters.removeAll()
        for waiter in idle { waiter.continuation.resume(returning: nil) }
    }

    /// Shuts down and waits until every queued and in-process key is done.
    public func shutDownWithDrain() async {
        shutDown()
        if processing.isEmpty && depth == 0 { return }
        await withCheckedContinuation { drainWaiters.append($0) }
    }

    // MARK: - Internals

    private func enqueue(_ key: Key) {
        if let index = waiters.indices.first {
            let waiter = waiters.remove(at: index)
            start(key)
            waiter.continuation.resume(returning: key)
            return
        }
        queue.append(key)
        metrics.depthChanged(depth)
    }

    private func takeQueued() -> Key? {
        guard head < queue.count else { return nil }
        let key = queue[head]
        head += 1
        if head > 1024 && head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
        metrics.depthChanged(depth)
        start(key)
        return key
    }

    private func start(_ key: Key) {
        dirty.remove(key)
        processing.insert(key)
        if let since = readySince.removeValue(forKey: key) {
            metrics.keyWaited(time.now() - since)
        }
    }

    private func cancelWaiter(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(returning: nil)
    }

    private func armTimer() {
        guard let earliest = delayed.min?.readyAt else {
            timer?.cancel()
            timer = nil
            timerDeadline = nil
            return
        }
        if timer != nil, let deadline = timerDeadline, deadline <= earliest { return }
        timer?.cancel()
        timerDeadline = earliest
        timer = Task { [time] in
            do { try await time.sleep(until: earliest) } catch { return }
            self.releaseDueKeys(firedAt: earliest)
        }
    }

    private func releaseDueKeys(firedAt deadline: Duration) {
        if timerDeadline == deadline {
            timer = nil
            timerDeadline = nil
        }
        let now = time.now()
        while let next = delayed.min, next.readyAt <= now {
            delayed.removeMin()
            guard delayedReadyAt[next.key] == next.readyAt else { continue }
            delayedReadyAt[next.key] = nil
            add(next.key)
        }
        armTimer()
    }
}
