import CapstanAPI
import CapstanEngine
import CapstanWorker

/// One `map.workers` node's items and workers, as `WorkerDispatcher` keeps them.
struct WorkerPool {
    enum ItemState {
        case queued(ItemToRun)
        case running(worker: String, since: Timestamp, index: Int, attempt: Int)
        case finished(ItemResult, worker: String, index: Int, attempt: Int)
        /// Its worker pod ended while it ran.
        case lost(worker: String, index: Int, attempt: Int)
    }

    struct Worker {
        var lastPoll: Timestamp
        var running: String?
        var idleSince: Timestamp?
        /// Released results to acknowledge on the next poll.
        var releasedUnacknowledged: Set<String> = []
        /// The engine deletes the pod: it gets no more items.
        var retired = false
        /// When the worker last reported an item done, until it is handed the next.
        var reportedDoneAt: ContinuousClock.Instant?
    }

    private(set) var items: [String: ItemState] = [:]
    private var queue: [String] = []
    private var queueHead = 0
    private(set) var workers: [String: Worker] = [:]

    mutating func enqueue(_ item: ItemToRun) {
        guard items[item.name] == nil else { return }
        items[item.name] = .queued(item)
        queue.append(item.name)
    }

    /// Returns false when the name is not this pool's.
    mutating func release(_ name: String) -> Bool {
        guard let state = items.removeValue(forKey: name) else { return false }
        if case .finished(_, let worker, _, _) = state {
            workers[worker]?.releasedUnacknowledged.insert(name)
        }
        return true
    }

    mutating func retire(_ pod: String) {
        workers[pod]?.retired = true
    }

    /// Forgets workers whose pods are gone or ended; the items they ran are lost.
    mutating func dropWorkers(notIn livePods: Set<String>) {
        for (pod, worker) in workers where !livePods.contains(pod) {
            if let name = worker.running, case .running(_, _, let index, let attempt)? = items[name] {
                items[name] = .lost(worker: pod, index: index, attempt: attempt)
            }
            workers[pod] = nil
        }
    }

    /// Takes in what a worker reports and answers what it may do now. `news`: something
    /// changed the engine should look at.
    mutating func poll(_ poll: WorkerPoll, now: Timestamp) -> (WorkerAssignment, news: Bool, handoff: Duration?) {
        let pod = poll.claims.pod
        var news = workers[pod] == nil
        var worker = workers[pod] ?? Worker(lastPoll: now)
        worker.lastPoll = now
        var answer = WorkerAssignment()
        for result in poll.finished {
            if worker.releasedUnacknowledged.remove(result.name) != nil {
                answer.acknowledged.append(result.name)
                continue
            }
            switch items[result.name] {
            case .finished?:
                break
            case .running(_, _, let index, let attempt)?, .lost(_, let index, let attempt)?:
                items[result.name] = .finished(result, worker: pod, index: index, attempt: attempt)
                news = true
            case .queued(let item)?:
                items[result.name] = .finished(result, worker: pod, index: item.index, attempt: item.attempt)
                news = true
            case nil:
                // A controller that restarted hears how the attempt ended from its worker.
                guard let (index, attempt) = Self.parse(result.name) else { break }
                items[result.name] = .finished(result, worker: pod, index: index, attempt: attempt)
                news = true
            }
            if worker.running == result.name { worker.running = nil }
            worker.reportedDoneAt = worker.reportedDoneAt ?? ContinuousClock.now
        }
        if let running = poll.running {
            worker.running = running
            worker.idleSince = nil
            switch items[running] {
            case .queued(let item)?:
                items[running] = .running(worker: pod, since: now, index: item.index, attempt: item.attempt)
                news = true
            case nil:
                // A controller that restarted hears of the attempt from its worker.
                if let (index, attempt) = Self.parse(running) {
                    items[running] = .running(worker: pod, since: now, index: index, attempt: attempt)
                    news = true
                }
            default:
                break
            }
        }
        workers[pod] = worker
        var handoff: Duration?
        if poll.ready, poll.running == nil {
            workers[pod]?.running = nil
            if let taken = take(for: pod, now: now) {
                answer.item = taken.item
                answer.stop = taken.stop
                handoff = taken.handoff
                if taken.item != nil { news = true }
            }
        }
        return (answer, news, handoff)
    }

    /// The next queued item for a ready worker, or `stop` for a retired one; nil when the
    /// worker is unknown.
    /// `handoff`: the time from the worker's report of its last item to this one, when known.
    mutating func take(for pod: String, now: Timestamp) -> (item: ItemToRun?, stop: Bool, handoff: Duration?)? {
        guard var worker = workers[pod] else { return nil }
        defer { workers[pod] = worker }
        if worker.retired { return (nil, true, nil) }
        while queueHead < queue.count {
            let name = queue[queueHead]
            queueHead += 1
            guard case .queued(let item)? = items[name] else { continue }
            items[name] = .running(worker: pod, since: now, index: item.index, attempt: item.attempt)
            worker.running = name
            worker.idleSince = nil
            let handoff = worker.reportedDoneAt.map { ContinuousClock.now - $0 }
            worker.reportedDoneAt = nil
            compactQueue()
            return (item, false, handoff)
        }
        compactQueue()
        if worker.idleSince == nil { worker.idleSince = now }
        return (nil, false, nil)
    }

    private mutating func compactQueue() {
        if queueHead > 1024 && queueHead * 2 > queue.count {
            queue.removeFirst(queueHead)
            queueHead = 0
        }
    }

    func view(listeningSince: Timestamp) -> WorkerPoolView {
        WorkerPoolView(
            listeningSince: listeningSince, lastPoll: workers.mapValues(\.lastPoll),
            idleSince: workers.compactMapValues { $0.running == nil && !$0.retired ? $0.idleSince : nil })
    }

    func observations(node: String) -> [ObservedPod] {
        items.map { name, state in
            switch state {
            case .queued(let item):
                return Self.observed(name, node: node, index: item.index, attempt: item.attempt, phase: .pending)
            case .running(_, let since, let index, let attempt):
                var pod = Self.observed(name, node: node, index: index, attempt: attempt, phase: .running)
                pod.startedAt = since
                return pod
            case .finished(let result, _, let index, let attempt):
                var pod = Self.observed(name, node: node, index: index, attempt: attempt, phase: result.exitCode == 0 && !result.timedOut ? .succeeded : .failed)
                pod.exitCode = result.exitCode
                pod.terminationMessage = result.outputs
                pod.startedAt = Timestamp(rfc3339: result.startedAt)
                pod.finishedAt = Timestamp(rfc3339: result.finishedAt)
                if result.timedOut {
                    pod.podReason = "DeadlineExceeded"
                    pod.message = "the item ran longer than its timeout"
                } else if let message = result.message, result.exitCode != 0 {
                    pod.message = message
                }
                return pod
            case .lost(let worker, let index, let attempt):
                var pod = Self.observed(name, node: node, index: index, attempt: attempt, phase: .failed)
                pod.podReason = "WorkerLost"
                pod.message = "worker pod \(worker) stopped while it ran the item"
                return pod
            }
        }
    }

    private static func observed(_ name: String, node: String, index: Int, attempt: Int, phase: ObservedPod.Phase) -> ObservedPod {
        var pod = ObservedPod(name: name, node: node, index: index, attempt: attempt, phase: phase)
        pod.isWorkerItem = true
        return pod
    }

    /// Index and attempt of an attempt this controller never dispatched (it restarted),
    /// from the name's `-INDEX-ATTEMPT` end (`PodNaming`).
    private static func parse(_ name: String) -> (Int, Int)? {
        let parts = name.split(separator: "-")
        guard parts.count >= 2, let attempt = Int(parts[parts.count - 1]), let index = Int(parts[parts.count - 2]) else { return nil }
        return (index, attempt)
    }
}
