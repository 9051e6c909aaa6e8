import Metrics
import NIOConcurrencyHelpers

/// The shared token bucket all requests of one client draw from. It records the time
/// requests spend waiting for a token, and can be switched off once the API server shows it
/// protects itself (API Priority and Fairness).
final class RequestRateLimiter: Sendable {
    private struct State {
        var bucket: TokenBucket
        var off = false
        /// The longest wait in the current window and in the one before it.
        var windowStart: Duration = .zero
        var longestNow: Duration = .zero
        var longestBefore: Duration = .zero

        mutating func roll(to now: Duration) {
            guard now - windowStart >= RequestRateLimiter.window else { return }
            longestBefore = now - windowStart >= RequestRateLimiter.window * 2 ? .zero : longestNow
            longestNow = .zero
            windowStart = now
        }
    }

    /// Waits are remembered for one to two of these.
    static let window = Duration.seconds(5)

    private let state: NIOLockedValueBox<State>
    private let time: any TimeSource
    private let factory: (any MetricsFactory)?

    static let waitLabel = "capstan_kube_client_rate_limit_wait_seconds_total"
    static let limitLabel = "capstan_kube_client_qps_limit"

    init(qps: Double, burst: Int, time: any TimeSource, metricsFactory: (any MetricsFactory)? = nil) {
        self.time = time
        self.factory = metricsFactory
        self.state = NIOLockedValueBox(State(bucket: TokenBucket(qps: qps, burst: burst, now: time.now())))
        recordLimit(qps)
    }

    /// Waits for a token. Cancellation while waiting throws and the token is lost, which only
    /// makes later callers slightly slower.
    func acquire() async throws {
        let now = time.now()
        let wait = state.withLockedValue { state -> Duration in
            guard !state.off else { return .zero }
            let wait = state.bucket.reserve(now: now)
            state.roll(to: now)
            state.longestNow = max(state.longestNow, wait)
            return wait
        }
        if wait > .zero {
            FloatingPointCounter(label: Self.waitLabel, factory: factory ?? MetricsSystem.factory).increment(by: wait.seconds)
            try await time.sleep(until: now + wait)
        }
    }

    /// The longest any request waited for its token in the last 5 to 10 seconds.
    var recentWait: Duration {
        let now = time.now()
        return state.withLockedValue { state in
            state.roll(to: now)
            return state.off ? .zero : max(state.longestNow, state.longestBefore)
        }
    }

    var isLimiting: Bool { state.withLockedValue { !$0.off && $0.bucket.qps > 0 } }

    /// No client-side limit from now on. Returns false when it was already off.
    @discardableResult
    func turnOff() -> Bool {
        let changed = state.withLockedValue { state -> Bool in
            defer { state.off = true }
            return !state.off
        }
        if changed { recordLimit(0) }
        return changed
    }

    private func recordLimit(_ qps: Double) {
        Gauge(label: Self.limitLabel, factory: factory ?? MetricsSystem.factory).record(max(0, qps))
    }
}
