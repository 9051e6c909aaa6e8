import CapstanSupport
import Testing

@Suite struct BackoffTests {
    @Test func doublesUpToTheCapWithEqualJitter() {
        let backoff = Backoff(initial: .milliseconds(5), maximum: .seconds(1))
        #expect(backoff.ceilingDelay(attempt: 0) == .milliseconds(5))
        #expect(backoff.ceilingDelay(attempt: 1) == .milliseconds(10))
        #expect(backoff.ceilingDelay(attempt: 7) == .milliseconds(640))
        #expect(backoff.ceilingDelay(attempt: 8) == .seconds(1))
        #expect(backoff.ceilingDelay(attempt: 10_000) == .seconds(1))
        #expect(backoff.delay(attempt: 3, jitter: 0) == .milliseconds(20))
        #expect(backoff.delay(attempt: 3, jitter: 1) == .milliseconds(40))
        #expect(backoff.delay(attempt: 3, jitter: 0.5) == .milliseconds(30))
    }
}
