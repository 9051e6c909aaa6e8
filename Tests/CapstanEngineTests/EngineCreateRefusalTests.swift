import Testing
import CapstanAPI
@testable import CapstanEngine

/// SPEC §10: what the API server answers to a pod create decides the attempt.
@Suite struct EngineCreateRefusalTests {
    private let quota = "pods \"p\" is forbidden: exceeded quota: two-pods, requested: pods=1, used: pods=2, limited: pods=2"

    @Test func aMapUnderQuotaWaitsAndSucceedsWithoutAFailedAttempt() throws {
        var h = try EngineHarness("""
            defaults: {image: busybox}
            nodes: [{name: fan, map: {over: [1, 2, 3, 4, 5, 6]}}]
            """)
        h.script = { _, _, _ in .init(duration: 2) }
        let quota = self.quota
        h.createAnswer = { _, active in active >= 2 ? .quotaExceeded(message: quota) : .created }
        var sawWaiting = false
        for _ in 0..<300 {
            let result = h.reconcile()
            if h.node("fan").message == "waiting for quota: \(quota)" { sawWaiting = true }
            if result.status.phase.isTerminal { break }
            h.advance(by: 1)
        }
        #expect(h.status.phase == .succeeded)
        let node = h.node("fan")
        #expect(node.failures.isEmpty)
        #expect(node.map?.succeeded == 6)
        #expect(h.created.count == 6, "each item created once")
        #expect(h.maxRunning <= 2)
        #expect(sawWaiting, "the node said it was waiting for quota")
        #expect(node.createRefusals == 0 && node.createRetryAt == nil && node.message == "6 of 6 items succeeded")
        #expect(h.events.contains { $0.reason == "QuotaExceeded" && $0.message.contains("waiting for quota") })
        #expect(!h.events.contains { $0.attemptEnd == .failed || $0.reason == "AttemptFailed" })
    }

    @Test func quotaRefusalsBackOffFromOneSecondDoublingToAMinute() throws {
        var h = try EngineHarness("defaults: {image: busybox}\nnodes: [{name: t, retries: 2}]")
        let quota = self.quota
        h.createAnswer = { _, _ in .quotaExceeded(message: quota) }
        var delays: [Double] = []
        for _ in 0..<10 {
            let result = h.reconcile()
            let delay = try #require(result.requeueAfter)
            delays.append(delay)
            h.advance(by: delay)
        }
        #expect(delays == [1, 2, 4, 8, 16, 32, 60, 60, 60, 60])
        let node = h.node("t")
        #expect(node.phase == .pending)
        #expect(node.attempts == 0 && node.failures.isEmpty && node.userFailures == 0 && node.systemFailures == 0)
        #expect(node.message == "waiting for quota: \(quota)")
        #expect(h.created.isEmpty)
    }

    @Test func aRejectedPodFailsTheNodeOnceWithTheServersWords() throws {
        var h = try EngineHarness("defaults: {image: busybox}\nnodes: [{name: t, retries: 3}, {name: after, dependsOn: [t]}]")
        let invalid = #"Pod "wf-t" is invalid: metadata.labels: Invalid value: "data science!": a valid label must be ..."#
        var asked = 0
        h.createAnswer = { _, _ in asked += 1; return .rejected(message: invalid) }
        let status = h.runToCompletion()
        #expect(status.phase == .failed)
        let node = h.node("t")
        #expect(node.phase == .failed)
        #expect(node.failures.map(\.reason) == [.podRejected])
        #expect(node.failures.first?.message?.contains(invalid) == true)
        #expect(node.userFailures == 0 && node.systemFailures == 0)
        #expect(asked == 1, "the same pod would be refused again, so it is asked once")
        #expect(h.node("after").phase == .aborted)
    }

    @Test func aRejectedMapItemFailsOnlyThatItem() throws {
        var h = try EngineHarness("""
            defaults: {image: busybox}
            nodes: [{name: fan, retries: 2, map: {over: [a, b, c, d], minSuccessRatio: 0.5}}]
            """)
        h.createAnswer = { request, _ in request.index == 1 ? .rejected(message: "denied") : .created }
        #expect(h.runToCompletion().phase == .succeeded)
        let node = h.node("fan")
        #expect(node.map?.succeeded == 3 && node.map?.failed == 1)
        #expect(node.failures.map(\.index) == [1])
        #expect(node.failures.map(\.reason) == [.podRejected])
    }

    @Test func anUnavailableAPIServerIsRetriedWithoutCountingAnAttempt() throws {
        var h = try EngineHarness("defaults: {image: busybox}\nnodes: [{name: t}]")
        var refusals = 2
        h.createAnswer = { _, _ in
            guard refusals > 0 else { return .created }
            refusals -= 1
            return .unavailable(message: "the server is currently unable to handle the request")
        }
        #expect(h.runToCompletion().phase == .succeeded)
        let node = h.node("t")
        #expect(node.attempts == 1)
        #expect(node.failures.isEmpty)
        #expect(h.created.count == 1)
        #expect(h.events.filter { $0.reason == "PodCreateFailed" }.count == 2)
    }
}
