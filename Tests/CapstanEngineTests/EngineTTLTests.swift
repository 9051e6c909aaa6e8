import Testing
import CapstanAPI
@testable import CapstanEngine

/// SPEC §13: a finished workflow is deleted once its time to live has passed, not before.
@Suite struct EngineTTLTests {
    @Test(arguments: [("ttlAfterFinished: 1h\n", nil as Double?), ("", 3600 as Double?)])
    func aFinishedWorkflowIsDeletedWhenItsTTLPasses(spec: String, defaultTTL: Double?) throws {
        var h = try EngineHarness(spec + "defaults: {image: busybox}\nnodes: [{name: t}]")
        h.engine.config.defaultTTL = defaultTTL
        let status = h.runToCompletion()
        #expect(status.phase == .succeeded)
        let finished = try #require(status.finishedAt)
        let wait = try #require(h.reconcile().requeueAfter, "woken when the TTL is due, not by a scan")
        #expect(abs(wait - (finished + 3600 - h.now)) < 0.001)
        #expect(!h.workflowDeleted)
        h.advance(by: wait)
        _ = h.reconcile()
        #expect(h.workflowDeleted)
    }

    @Test func withoutATTLAFinishedWorkflowIsKept() throws {
        var h = try EngineHarness("defaults: {image: busybox}\nnodes: [{name: t}]")
        h.runToCompletion()
        h.advance(by: 365 * 86400)
        #expect(h.reconcile().requeueAfter == nil)
        #expect(!h.workflowDeleted)
    }
}
