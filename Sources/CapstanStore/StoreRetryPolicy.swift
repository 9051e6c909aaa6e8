import CapstanSupport

/// How often and how patiently a failed request is tried again: exponential backoff with
/// jitter, bounded in attempts. Retried are connection errors, HTTP 5xx and 429, and S3's
/// `SlowDown`, `InternalError` and `RequestTimeout`; never a 4xx that will fail the same way.
public struct StoreRetryPolicy: Sendable, Hashable {
    /// Attempts in total, the first included (1 means no retry).
    public var maxAttempts: Int
    /// The delay before the first retry; doubled for each further retry.
    public var baseDelay: Duration
    /// No single delay exceeds this.
    public var maxDelay: Duration

    public init(maxAttempts: Int = 8, baseDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(10)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// The pause before retry number `retry` (1 for the first retry), given a random number in
    /// [0, 1). Half the backoff is fixed and half is random ("equal jitter"), so many clients
    /// failing at once spread out while each still waits at least half the backoff.
    public func delay(beforeRetry retry: Int, random: Double) -> Duration {
        Backoff(initial: baseDelay, factor: 2, maximum: maxDelay).delay(attempt: max(retry - 1, 0), jitter: random)
    }

    /// The longest a request can spend waiting between attempts before it gives up.
    public var worstCaseTotalDelay: Duration {
        (1..<maxAttempts).reduce(Duration.zero) { $0 + delay(beforeRetry: $1, random: 1) }
    }
}
