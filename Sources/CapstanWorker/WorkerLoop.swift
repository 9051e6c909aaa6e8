import CapstanAPI
import CapstanSupport
import Logging

/// How a worker's loop ended, and the exit code `capstan worker` gives it.
public enum WorkerExit: Sendable, Hashable {
    /// The controller said `stop` and every result was acknowledged.
    case stopped
    /// The calling task was cancelled (SIGTERM, a deleted pod); the item it ran was stopped.
    case cancelled
    /// The controller refused the token (401/403) or the poll (another 4xx).
    case failed(DispatchError)

    public var exitCode: Int32 {
        switch self {
        case .stopped: 0
        case .cancelled: 143
        case .failed(let error): error.isRefused ? 3 : 1
        }
    }
}

/// A map's reusable worker (SPEC §15): asks the controller for items, runs them one at a
/// time through its executor, and reports each result until the controller acknowledges it.
///
/// One poll is in flight at a time. Idle, the worker polls `ready` back to back (the
/// controller holds each up to its long poll). Busy, it polls every `busyPollInterval` so a
/// restarted controller learns what it runs. The moment an item ends it polls with the
/// result and `ready`, so the next item starts one round trip later. Transient errors are
/// retried with `retryBackoff` for ever; a refused token or a rejected poll ends the loop.
public struct WorkerLoop: Sendable {
    public var claims: WorkerClaims
    public var transport: any DispatchTransport
    public var executor: any ItemExecutor
    public var logger: Logger
    public var busyPollInterval: Duration = WorkerProtocol.busyPollInterval
    /// 100 ms doubling to 2 s, with equal jitter.
    public var retryBackoff = Backoff(initial: .milliseconds(100), maximum: .seconds(2))
    /// Jitter for the backoff, in 0..<1.
    public var jitter: @Sendable () -> Double = { Double.random(in: 0..<1) }

    public init(claims: WorkerClaims, transport: any DispatchTransport, executor: any ItemExecutor,
                logger: Logger = Logger(label: "capstan.worker")) {
        self.claims = claims
        self.transport = transport
        self.executor = executor
        self.logger = logger
    }

    fileprivate enum Event: Sendable {
        case answered(Result<WorkerAssignment, DispatchError>)
        case itemEnded(ItemResult)
        case heartbeatDue
        case retryDue
    }

    /// Runs until the controller says stop (and has every result), the controller refuses
    /// the worker, or the calling task is cancelled.
    public func run() async -> WorkerExit {
        await withTaskGroup(of: Event.self) { group in
            var state = LoopState(loop: self)
            state.startPoll(&group)
            while let event = await group.next() {
                if Task.isCancelled {
                    group.cancelAll()
                    return .cancelled
                }
                if let exit = state.handle(event, &group) {
                    group.cancelAll()
                    return exit
                }
            }
            return .cancelled
        }
    }
}

/// The loop's memory between events; its methods add the tasks each event calls for.
private struct LoopState {
    let loop: WorkerLoop
    /// Results not yet acknowledged, oldest first.
    var finished: [ItemResult] = []
    /// The item running now.
    var running: String?
    /// The controller said stop: take nothing more.
    var stopping = false
    /// A result that no poll has carried yet: send it at once.
    var unsent = false
    var polling = false
    var retrying = false
    var heartbeatArmed = false
    var lastPoll = ContinuousClock.now
    /// Transient failures in a row.
    var failures = 0

    init(loop: WorkerLoop) {
        self.loop = loop
    }

    mutating func handle(_ event: WorkerLoop.Event, _ group: inout TaskGroup<WorkerLoop.Event>) -> WorkerExit? {
        switch event {
        case .answered(.success(let answer)):
            polling = false
            if failures > 0 {
                loop.logger.info("reached the controller again", metadata: ["failures": "\(failures)"])
                failures = 0
            }
            if !answer.acknowledged.isEmpty {
                finished.removeAll { answer.acknowledged.contains($0.name) }
            }
            if answer.stop && !stopping {
                stopping = true
                loop.logger.debug("the controller asked this worker to stop")
            }
            if let item = answer.item {
                if let running {
                    loop.logger.warning("the controller sent an item while another runs; ignoring it",
                                        metadata: ["item": "\(item.name)", "running": "\(running)"])
                } else {
                    start(item, &group)
                }
            }
            return next(&group)
        case .answered(.failure(let error)):
            polling = false
            guard error.isTransient else {
                loop.logger.error("\(error)")
                return .failed(error)
            }
            if failures == 0 {
                loop.logger.warning("cannot reach the controller; retrying", metadata: ["error": "\(error)"])
            }
            let delay = loop.retryBackoff.delay(attempt: failures, jitter: loop.jitter())
            failures += 1
            retrying = true
            group.addTask {
                try? await Task.sleep(for: delay)
                return .retryDue
            }
            return nil
        case .itemEnded(let result):
            running = nil
            finished.append(result)
            unsent = true
            return next(&group)
        case .heartbeatDue:
            heartbeatArmed = false
            return next(&group)
        case .retryDue:
            retrying = false
            if let exit = done { return exit }
            startPoll(&group)
            return nil
        }
    }

    private var done: WorkerExit? { stopping && running == nil && finished.isEmpty ? .stopped : nil }

    /// Decides the next poll once nothing is in flight: now, or at the next heartbeat.
    private mutating func next(_ group: inout TaskGroup<WorkerLoop.Event>) -> WorkerExit? {
        guard !polling && !retrying else { return nil }
        if let exit = done { return exit }
        if unsent || (running == nil && !stopping) || ContinuousClock.now >= lastPoll + loop.busyPollInterval {
            startPoll(&group)
        } else if !heartbeatArmed {
            // Busy, or stopping with results the controller has not acknowledged yet.
            heartbeatArmed = true
            let due = lastPoll + loop.busyPollInterval
            group.addTask {
                try? await Task.sleep(until: due, clock: .continuous)
                return .heartbeatDue
            }
        }
        return nil
    }

    mutating func startPoll(_ group: inout TaskGroup<WorkerLoop.Event>) {
        polling = true
        unsent = false
        lastPoll = .now
        let poll = WorkerPoll(claims: loop.claims, running: running, finished: finished, ready: running == nil && !stopping)
        let transport = loop.transport
        group.addTask {
            do {
                return .answered(.success(try await transport.poll(poll)))
            } catch let error as DispatchError {
                return .answered(.failure(error))
            } catch {
                return .answered(.failure(.transient("\(error)")))
            }
        }
    }

    private mutating func start(_ item: ItemToRun, _ group: inout TaskGroup<WorkerLoop.Event>) {
        running = item.name
        loop.logger.debug("item started", metadata: ["item": "\(item.name)"])
        let executor = loop.executor
        group.addTask { .itemEnded(await executor.run(item)) }
    }
}
