import CapstanAPI
import Foundation
import Testing
import TestSupport

/// SPEC §13: a finished Workflow is deleted once its ttlAfterFinished has passed.
@Suite struct LifecycleEndToEndTests {
    @Test func aFinishedWorkflowIsDeletedAfterItsTTLWithItsPods() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("ttl")
        try await sim.submit("short-lived", namespace: ns, spec: """
            ttlAfterFinished: 30s
            podGC: Never
            defaults: {image: busybox}
            nodes: [{name: t}]
            """)
        // Seen Succeeded while it is kept, then gone: polled as one, so a loaded machine's slow
        // polling cannot miss the finish and then fail to find the Workflow. 30 s leaves room
        // for kubectl calls that take seconds each when the whole suite runs.
        var sawSucceeded = false
        let gone = try await eventually(timeout: .seconds(150), interval: .milliseconds(200)) {
            let result = try await sim.kubectl("get", "workflow", "short-lived", "-n", ns, "-o", "json")
            guard result.exitCode == 0 else { return true }
            if WorkflowStatus(json: try JSONValue.parse(result.stdout)["status"]).phase == .succeeded { sawSucceeded = true }
            return false
        }
        #expect(sawSucceeded, "it finished and was kept until its TTL passed")
        #expect(gone, "the Workflow was deleted after its TTL")
        #expect(try await eventually(timeout: .seconds(30), interval: .milliseconds(200)) {
            try await sim.list("pods", namespace: ns).isEmpty
        }, "its pods went with it")
    }
}

/// SPEC §13: `storeGC: OnWorkflowDeletion` removes the workflow's stored data when it is deleted.
@Suite struct StoreGCEndToEndTests {
    @Test func deletingTheWorkflowDeletesItsStoredOutputsAndNothingElse() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("storegc")
        let (_, controller) = try await EndToEndCluster.shared.get()
        for name in ["collected", "kept"] {
            try await sim.submit(name, namespace: ns, spec: """
                \(name == "collected" ? "storeGC: OnWorkflowDeletion" : "storeGC: Never")
                defaults: {image: busybox}
                nodes: [{name: t, outputs: [answer], podMetadata: {annotations: {sim.capstan.dev/outputs: '{"answer": 42}'}}}]
                """)
            #expect(try await sim.waitForWorkflow(name, namespace: ns).phase == .succeeded)
        }
        let object = try await sim.object("workflow", "collected", namespace: ns)
        #expect(object["metadata"]?["finalizers"] == ["capstan.dev/store-gc"])
        let uid = try #require(object["metadata"]?["uid"]?.stringValue)
        let store = controller.storeDirectory
        let collected = store.appendingPathComponent("\(ns)/collected/\(uid)").path
        let kept = store.appendingPathComponent("\(ns)/kept").path
        #expect(FileManager.default.fileExists(atPath: collected + "/t/outputs.json"))

        let deleted = try await sim.kubectl("delete", "workflow", "collected", "-n", ns, "--wait=true", "--timeout=60s")
        #expect(deleted.exitCode == 0, "\(deleted)")
        // The file store keeps folders; what matters is that no object (file) is left.
        let files = ((try? FileManager.default.subpathsOfDirectory(atPath: collected)) ?? []).filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: collected + "/" + path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
        #expect(files.isEmpty, "no object of the deleted workflow is left: \(files)")
        #expect(FileManager.default.fileExists(atPath: kept), "another workflow's outputs stay")
    }
}
