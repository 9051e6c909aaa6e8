import NIOConcurrencyHelpers

/// What `/healthz` and `/readyz` answer.
///
/// Liveness (`/healthz`): 200 while the process runs and the optional `liveness` check passes
/// — a failing check makes the kubelet restart the container, so it should only fail when a
/// restart would help (e.g. a worker stuck for far longer than any reconcile).
///
/// Readiness (`/readyz`): 503 until the controller calls `setReady()`, which it does once its
/// informers have synced. With `--leader-elect` a standby replica is ready too: it is healthy
/// and waiting, and gating readiness on leadership would make a rolling update wait for the
/// old leader's Lease to expire. `setNotReady(_:)` withdraws readiness, e.g. on shutdown.
public final class HealthChecks: Sendable {
    /// The answer of one check: nil when healthy, else why not.
    public typealias Check = @Sendable () -> String?

    private let state = NIOLockedValueBox(State())
    private let liveness: Check?

    private struct State {
        var ready = false
        var notReadyReason = "starting: informers have not synced yet"
    }

    public init(liveness: Check? = nil) {
        self.liveness = liveness
    }

    public func setReady() {
        state.withLockedValue { $0.ready = true }
    }

    public func setNotReady(_ reason: String) {
        state.withLockedValue {
            $0.ready = false
            $0.notReadyReason = reason
        }
    }

    public var isReady: Bool { state.withLockedValue { $0.ready } }

    /// nil when ready, else the reason `/readyz` reports.
    func readinessProblem() -> String? {
        state.withLockedValue { $0.ready ? nil : $0.notReadyReason }
    }

    /// nil when alive, else the reason `/healthz` reports.
    func livenessProblem() -> String? {
        liveness?()
    }
}
