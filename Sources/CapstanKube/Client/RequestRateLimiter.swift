import NIOConcurrencyHelpers

/// The shared token bucket all requests of one client draw from.
final class RequestRateLimiter: Sendable {
    private let bucket: NIOLockedValueBox<TokenBucket>
    private let time: any TimeSource

    init(qps: Double, burst: Int, time: any TimeSource) {
        self.time = time
        self.bucket = NIOLockedValueBox(TokenBucket(qps: qps, burst: burst, now: time.now()))
    }

    /// Waits for a token. Cancellation while waiting throws and the token is lost, which only
    /// makes later callers slightly slower.
    func acquire() async throws {
        let now = time.now()
        let wait = bucket.withLockedValue { $0.reserve(now: now) }
        if wait > .zero {
            try await time.sleep(until: now + wait)
        }
    }
}
