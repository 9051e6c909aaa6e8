import Testing
import CapstanAPI
@testable import CapstanEngine

/// SPEC §12: a `sleep` node runs no pod and succeeds once its duration has passed, counted
/// from the start saved in its status.
@Suite struct EngineSleepTests {
    static let workflow = """
        defaults: {image: busybox, retries: 2, outputs: [x]}
        nodes:
          - {name: nap, sleep: 30s}
          - {name: after, dependsOn: [nap], podMetadata: {annotations: {a: b}}}
        """

    @Test func theNextNodeRunsOnceTheSleepHasPassedAndNoPodIsMadeForIt() throws {
        var h = try EngineHarness(Self.workflow)
        h.script = { _, _, _ in .init(outputs: ["x": 1]) }
        let first = h.reconcile()
        #expect(h.node("nap").phase == .running)
        #expect(h.node("nap").message?.hasPrefix("sleeping 30s, until ") == true, "\(h.node("nap"))")
        #expect(first.requeueAfter == 30, "woken exactly when the sleep ends, not polled")
        h.advance(by: 29)
        _ = h.reconcile()
        #expect(h.node("nap").phase == .running)
        #expect(h.created.isEmpty)
        h.advance(by: 1)
        _ = h.reconcile()
        #expect(h.node("nap").phase == .succeeded)
        #expect(h.node("nap").finishedAt == h.now)
        #expect(h.createdPods(of: "after").count == 1)
        #expect(h.runToCompletion().phase == .succeeded)
        #expect(h.createdPods(of: "nap").isEmpty)
        #expect(h.node("nap").outputsURI == nil && h.node("nap").attempts == 0)
        let ends = h.events.filter { $0.node == "nap" }.map(\.reason)
        #expect(ends == ["NodeStarted", "NodeSucceeded"])
        #expect(h.events.filter { $0.node == "nap" }.allSatisfy { $0.attemptEnd == nil }, "no pod, so no attempt to count")
    }

    @Test func aRestartedControllerKeepsCountingFromTheSavedStart() throws {
        var h = try EngineHarness(Self.workflow)
        h.now = h.now + 0.4
        _ = h.reconcile()
        // What the API server keeps: whole seconds, rounded up so the wait is never cut short.
        h.status = WorkflowStatus(json: h.status.json)
        let started = try #require(h.node("nap").startedAt)
        #expect(started.secondsSince1970 == 1_000_001)
        h.advance(by: 20)
        let later = h.reconcile()
        #expect(h.node("nap").startedAt == started, "the clock does not start again")
        let wait = try #require(later.requeueAfter)
        #expect(abs(wait - 10.6) < 0.001)
        h.advance(by: wait)
        _ = h.reconcile()
        #expect(h.node("nap").phase == .succeeded)
    }

    @Test func aFalseWhenSkipsTheSleep() throws {
        var h = try EngineHarness("""
            defaults: {image: busybox}
            nodes: [{name: nap, sleep: 1h, when: "1 > 2"}, {name: after, dependsOn: [nap]}]
            """)
        #expect(h.runToCompletion().phase == .succeeded)
        #expect(h.node("nap").phase == .skipped)
        #expect(h.node("after").phase == .succeeded)
    }

    @Test func aSleepingNodeHoldsNoPlaceUnderParallelism() throws {
        var h = try EngineHarness("""
            parallelism: 1
            defaults: {image: busybox}
            nodes: [{name: nap, sleep: 1h}, {name: work}]
            """)
        _ = h.reconcile()
        #expect(h.node("nap").phase == .running)
        #expect(h.createdPods(of: "work").count == 1, "the sleep is not a running pod")
    }

    @Test func abortStopsASleep() throws {
        var h = try EngineHarness("defaults: {image: busybox}\nnodes: [{name: nap, sleep: 1h}]")
        _ = h.reconcile()
        h.compiled = WorkflowCompiler.compile(try YAMLDocuments.load("abort: true\nnodes: [{name: nap, sleep: 1h}]")[0])
        let result = h.reconcile()
        #expect(h.status.phase == .aborted)
        #expect(h.node("nap").phase == .aborted)
        #expect(result.requeueAfter == nil)
    }
}
