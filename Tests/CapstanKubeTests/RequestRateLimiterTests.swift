@testable import CapstanKube
import Testing

/// The client-side limit on simulated time: how long requests waited is remembered for a
/// while (what a map's message reports), and the limit can be turned off for good.
@Suite struct RequestRateLimiterTests {
    @Test func waitsAreRememberedForAWhileAndTheLimitCanBeTurnedOff() async throws {
        let time = ManualTimeSource()
        let limiter = RequestRateLimiter(qps: 1, burst: 1, time: time)
        try await limiter.acquire()
        #expect(limiter.recentWait == .zero, "the burst's token: no wait")

        let second = Task { try await limiter.acquire() }
        while time.sleeperCount == 0 { await Task.yield() }
        #expect(limiter.recentWait == .seconds(1), "the second request waits a second for its token")
        time.advance(by: .seconds(1))
        try await second.value
        time.advance(by: .seconds(4))
        #expect(limiter.recentWait == .seconds(1), "still remembered 5 s later")
        time.advance(by: .seconds(8))
        #expect(limiter.recentWait == .zero, "forgotten after two quiet windows")

        #expect(limiter.isLimiting)
        #expect(limiter.turnOff())
        #expect(!limiter.turnOff(), "already off")
        for _ in 0..<5 { try await limiter.acquire() }
        #expect(!limiter.isLimiting && limiter.recentWait == .zero && time.sleeperCount == 0, "no request waits once it is off")
    }
}
