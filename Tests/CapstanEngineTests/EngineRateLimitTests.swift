import Testing
import CapstanAPI
@testable import CapstanEngine

/// A map whose pod creates queue behind the controller's client-side API rate limit says so,
/// rather than look stuck; its own concurrency limit is not that.
@Suite struct EngineRateLimitTests {
    private func harness(concurrency: Int? = nil) throws -> EngineHarness {
        var h = try EngineHarness("""
            defaults: {image: busybox}
            inputs: {xs: [\((1...100).map(String.init).joined(separator: ", "))]}
            nodes: [{name: m, map: {over: "{{ inputs.xs }}"\(concurrency.map { ", concurrency: \($0)" } ?? "")}}]
            """)
        h.engine.config.maxPodCreatesPerStep = 3
        h.script = { _, _, _ in .init(duration: 30) }
        return h
    }

    @Test(arguments: [
        // (longest recent wait in seconds, concurrency, message expected)
        (3.25, nil as Int?, "items start at the controller's API rate limit of 50 requests/s (--kube-qps): requests wait up to 3.3 s for their turn; 97 items wait to start"),
        (0.2, nil, nil as String?),
        (3.25, 3, nil),
    ])
    func aQueueBehindTheLimitIsTheMapsMessage(wait: Double, concurrency: Int?, message: String?) throws {
        var h = try harness(concurrency: concurrency)
        h.apiRateLimit = APIRateLimit(requestsPerSecond: 50, recentWait: wait)
        _ = h.reconcile()
        #expect(h.node("m").phase == .running)
        // 3 creates a reconcile: the other 97 wait for the next one (with concurrency 3, for
        // a slot rather than for the limit).
        #expect(h.node("m").map?.running == 3)
        #expect(h.node("m").message == message)
    }

    @Test func theMessageGoesWhenTheQueueIsGoneAndTheMapEndsWithItsOwn() throws {
        var h = try harness()
        h.apiRateLimit = APIRateLimit(requestsPerSecond: 50, recentWait: 2)
        _ = h.reconcile()
        #expect(h.node("m").message?.hasPrefix("items start at the controller's API rate limit") == true)
        h.apiRateLimit = APIRateLimit(requestsPerSecond: 50, recentWait: 0)
        _ = h.reconcile()
        #expect(h.node("m").message == nil)
        #expect(h.runToCompletion().phase == .succeeded)
        #expect(h.node("m").message == "100 of 100 items succeeded")
    }
}
