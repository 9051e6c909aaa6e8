import CapstanAPI
import Foundation
import Testing
import TestSupport

/// SPEC §13: a finished Workflow is deleted once its ttlAfterFinished has passed.
@Suite struct LifecycleEndToEndTests {
    @Test func aFinishedWorkflowIsDeletedAfterItsTTLWithItsPods() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("ttl")
        try await sim.submit("short-lived", namespace: ns, spec: """
            ttlAfterFinished: 3s
            podGC: Never
            defaults: {image: busybox}
            nodes: [{name: t}]
            """)
        let status = try await sim.waitForWorkflow("short-lived", namespace: ns)
        #expect(status.phase == .succeeded)
        let finished = Date()
        #expect(try await eventually(timeout: .seconds(30), interval: .milliseconds(200)) {
            try await sim.kubectl("get", "workflow", "short-lived", "-n", ns).exitCode != 0
        }, "the Workflow was not deleted within 30s")
        #expect(Date().timeIntervalSince(finished) >= 1, "kept until its TTL passed")
        #expect(try await eventually(timeout: .seconds(30), interval: .milliseconds(200)) {
            try await sim.list("pods", namespace: ns).isEmpty
        }, "its pods went with it")
    }
}
