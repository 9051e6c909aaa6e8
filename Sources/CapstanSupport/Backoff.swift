/// Exponential backoff with "equal jitter": the n-th delay (n from 0) is drawn uniformly from
/// [d/2, d] with d = min(maximum, initial × factor^n). Half the delay is guaranteed, so a
/// flood of clients spreads out without ever retrying at once.
public struct Backoff: Sendable, Hashable {
    public var initial: Duration
    public var factor: Double
    public var maximum: Duration

    public init(initial: Duration, factor: Double = 2, maximum: Duration) {
        self.initial = initial
        self.factor = factor
        self.maximum = maximum
    }

    /// The delay before retry number `attempt` (0-based) with `jitter` in 0..<1.
    public func delay(attempt: Int, jitter: Double) -> Duration {
        let ceiling = ceilingDelay(attempt: attempt)
        let clamped = min(max(jitter, 0), 1)
        return ceiling / 2 + (ceiling / 2) * clamped
    }

    /// The delay without jitter: initial × factor^attempt, capped at `maximum`.
    public func ceilingDelay(attempt: Int) -> Duration {
        let initialSeconds = initial.seconds
        let maxSeconds = maximum.seconds
        var seconds = initialSeconds
        var n = 0
        while n < attempt, seconds < maxSeconds {
            seconds *= factor
            n += 1
        }
        return .seconds(min(seconds, maxSeconds))
    }
}

extension Duration {
    /// The duration as a floating-point number of seconds.
    public var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}
