import CapstanSupport

/// Per-key exponential backoff for `WorkQueue.addRateLimited`, as client-go's default
/// controller rate limiter: the n-th consecutive failure of a key waits base × 2^n
/// (5 ms, 10 ms, 20 ms, … capped at 1000 s) until `forget` resets it.
public struct ItemBackoff: Sendable, Hashable {
    public var base: Duration
    public var maximum: Duration

    public init(base: Duration = .milliseconds(5), maximum: Duration = .seconds(1000)) {
        self.base = base
        self.maximum = maximum
    }

    /// The delay for a key that has already failed `failures` times before this one.
    public func delay(failures: Int) -> Duration {
        Backoff(initial: base, factor: 2, maximum: maximum).ceilingDelay(attempt: failures)
    }
}
