import NIOConcurrencyHelpers

/// Monotonic time as seen by the rate limiter, work queue and leader election. Injected so
/// tests can move time by hand (`ManualTimeSource`) instead of sleeping.
public protocol TimeSource: Sendable {
    /// Time elapsed since an arbitrary fixed origin.
    func now() -> Duration
    /// Suspends until `now() >= deadline`; throws `CancellationError` when the task is cancelled.
    func sleep(until deadline: Duration) async throws
}

extension TimeSource {
    public func sleep(for duration: Duration) async throws {
        try await sleep(until: now() + duration)
    }
}

/// Real time from `ContinuousClock`.
public struct SystemTimeSource: TimeSource {
    private let origin: ContinuousClock.Instant

    public init() { origin = ContinuousClock.now }

    public func now() -> Duration { ContinuousClock.now - origin }

    public func sleep(until deadline: Duration) async throws {
        try await ContinuousClock().sleep(until: origin + deadline, tolerance: nil)
    }
}

/// Time that moves only when a test calls `advance(by:)`; sleepers whose deadline has been
/// reached are woken in deadline order.
public final class ManualTimeSource: TimeSource {
    private struct Sleeper {
        var id: Int
        var deadline: Duration
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Duration = .zero
        var nextID = 0
        var sleepers: [Sleeper] = []
        var cancelled: Set<Int> = []
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    public func now() -> Duration { state.withLockedValue { $0.now } }

    /// How many tasks are currently asleep, so tests can wait until work has parked.
    public var sleeperCount: Int { state.withLockedValue { $0.sleepers.count } }

    public func advance(by duration: Duration) {
        let woken: [Sleeper] = state.withLockedValue { state in
            state.now += duration
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }.sorted { $0.deadline < $1.deadline }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in woken { sleeper.continuation.resume() }
    }

    public func sleep(until deadline: Duration) async throws {
        let id = state.withLockedValue { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let action: Result<Void, any Error>? = state.withLockedValue { state in
                    if state.cancelled.remove(id) != nil { return .failure(CancellationError()) }
                    if deadline <= state.now { return .success(()) }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return nil
                }
                if let action { continuation.resume(with: action) }
            }
        } onCancel: {
            let sleeper: Sleeper? = state.withLockedValue { state in
                if let index = state.sleepers.firstIndex(where: { $0.id == id }) {
                    return state.sleepers.remove(at: index)
                }
                state.cancelled.insert(id)
                return nil
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }
}
