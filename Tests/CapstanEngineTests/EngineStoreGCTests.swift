import Testing
import CapstanAPI
@testable import CapstanEngine

/// SPEC §13: `storeGC: OnWorkflowDeletion` deletes the workflow's stored data, and only
/// that, before the Workflow goes.
@Suite struct EngineStoreGCTests {
    @Test func theFinalizerHoldsTheWorkflowUntilItsPrefixIsDeleted() throws {
        var h = try EngineHarness("""
            storeGC: OnWorkflowDeletion
            defaults: {image: busybox, cache: {version: "1"}}
            nodes: [{name: t, outputs: [answer]}]
            """)
        h.script = { _, _, _ in .init(outputs: ["answer": 42]) }
        #expect(h.runToCompletion().phase == .succeeded)
        #expect(h.metadata.finalizers == [StoreGCPolicy.finalizer])
        h.store["ml/other/uid-2/t/outputs.json"] = ["answer": 1]
        #expect(h.store.keys.contains("ml/wf/uid-1/t/outputs.json"))
        let cacheKeys = h.store.keys.filter { $0.hasPrefix("ml/.cache/") }
        #expect(!cacheKeys.isEmpty)

        h.metadata.deletionTimestamp = h.now
        let result = h.reconcile()
        #expect(result.actions.contains(.removeFinalizer(StoreGCPolicy.finalizer)))
        #expect(h.metadata.finalizers.isEmpty)
        #expect(!h.store.keys.contains { $0.hasPrefix("ml/wf/uid-1/") }, "the workflow's outputs are gone")
        #expect(h.store.keys.contains("ml/other/uid-2/t/outputs.json"), "another workflow's stay")
        #expect(h.store.keys.filter { $0.hasPrefix("ml/.cache/") } == cacheKeys, "the cache stays")
    }

    @Test func withoutStoreGCThereIsNoFinalizerAndNothingIsDeleted() throws {
        var h = try EngineHarness("defaults: {image: busybox}\nnodes: [{name: t, outputs: [answer]}]")
        h.script = { _, _, _ in .init(outputs: ["answer": 42]) }
        h.runToCompletion()
        #expect(h.metadata.finalizers.isEmpty)
        h.metadata.deletionTimestamp = h.now
        #expect(h.reconcile().actions.isEmpty)
        #expect(h.store.keys.contains("ml/wf/uid-1/t/outputs.json"))
    }
}
