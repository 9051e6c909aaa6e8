import CapstanSupport

/// Which failed requests the client repeats, and after how long. A pure function of the
/// failure, so every rule is checked by plain equality tests.
///
/// - 429 Too Many Requests, and any answer carrying `Retry-After`, was refused before the
///   server acted: every request is repeated, after at least the server's delay.
/// - A request that never left (connection refused, connect timeout) is repeated too.
/// - 5xx answers and broken connections may come after the server acted, so only requests
///   that are safe to apply twice are repeated: reads, PUT, DELETE, PATCH, and a create with
///   a fixed `metadata.name` (a repeat can at worst answer 409 AlreadyExists, which callers
///   using deterministic names treat as success). A create with `generateName` is not.
public struct KubeRetryPolicy: Sendable, Hashable {
    public var maxRetries: Int
    public var backoff: Backoff
    /// Upper bound on a server-requested `Retry-After`, so a misbehaving server cannot park us.
    public var maxRetryAfter: Duration

    public init(maxRetries: Int = 6, backoff: Backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(10)),
                maxRetryAfter: Duration = .seconds(60)) {
        self.maxRetries = maxRetries
        self.backoff = backoff
        self.maxRetryAfter = maxRetryAfter
    }

    public static let none = KubeRetryPolicy(maxRetries: 0)

    public enum Decision: Sendable, Hashable {
        case retry(after: Duration)
        case fail
    }

    /// - Parameters:
    ///   - retriesSoFar: how many times this request has already been repeated.
    ///   - jitter: a random number in 0..<1.
    public func decide(_ error: KubeError, idempotent: Bool, retriesSoFar: Int, jitter: Double) -> Decision {
        guard retriesSoFar < maxRetries else { return .fail }
        let pause = backoff.delay(attempt: retriesSoFar, jitter: jitter)
        if error.isTooManyRequests || (error.retryAfter != nil && error.code >= 500) {
            let requested = min(error.retryAfter ?? .zero, maxRetryAfter)
            return .retry(after: max(requested, pause))
        }
        if error.isTransport && error.notSent {
            return .retry(after: pause)
        }
        guard idempotent else { return .fail }
        if error.isTransport || isRetryableServerError(error) {
            return .retry(after: pause)
        }
        return .fail
    }

    private func isRetryableServerError(_ error: KubeError) -> Bool {
        switch error.code {
        case 500, 502, 503, 504: return true
        default: return false
        }
    }
}
