import CapstanSupport

/// The client-side request budget: `qps` tokens per second refill a bucket holding at most
/// `burst`. Each request takes one token; when none is left it is told how long to wait, and
/// the token is reserved for it so later callers queue behind it (as golang.org/x/time/rate).
/// Pure value: the caller supplies the time.
public struct TokenBucket: Sendable, Hashable {
    public let qps: Double
    public let burst: Int
    private var tokens: Double
    private var updatedAt: Duration

    /// `qps <= 0` means unlimited.
    public init(qps: Double, burst: Int, now: Duration = .zero) {
        self.qps = qps
        self.burst = max(burst, 1)
        self.tokens = Double(max(burst, 1))
        self.updatedAt = now
    }

    /// Takes one token and returns how long the caller must wait before sending.
    public mutating func reserve(now: Duration) -> Duration {
        guard qps > 0 else { return .zero }
        if now > updatedAt {
            tokens = min(Double(burst), tokens + (now - updatedAt).seconds * qps)
            updatedAt = now
        }
        tokens -= 1
        if tokens >= 0 { return .zero }
        return .seconds(-tokens / qps)
    }
}
