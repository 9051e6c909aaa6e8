import CapstanAPI
import Foundation
import Testing
import TestSupport

/// Two controllers with `--leader-elect`: only the leader reconciles, and when it dies the
/// standby takes over and finishes the work.
@Suite struct LeaderElectionEndToEndTests {
    @Test func aStandbyTakesOverWhenTheLeaderDies() async throws {
        let sim = try await SimProcess.start(["--nodes", "1"])
        #expect(try await sim.applyCRDs().exitCode == 0)
        let store = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-le-\(UUID().uuidString)")
        let first = try RunningController.start(kubeconfig: sim.kubeconfigPath, storeDirectory: store, extraArguments: ["--leader-elect"])
        #expect(try await eventually(timeout: .seconds(30), interval: .milliseconds(200)) {
            // Polled with plain kubectl: the Lease does not exist until the first controller takes it.
            let result = try await sim.kubectl("get", "lease", "capstan-controller", "-n", "default", "-o", "jsonpath={.spec.holderIdentity}")
            return result.exitCode == 0 && !result.stdout.isEmpty
        }, "no controller took the lease within 30s")
        let second = try RunningController.start(kubeconfig: sim.kubeconfigPath, storeDirectory: store, extraArguments: ["--leader-elect"])
        let leader = try await sim.object("lease", "capstan-controller", namespace: "default")["spec"]?["holderIdentity"]?.stringValue

        try await sim.submit("one", namespace: "default", spec: "defaults: {image: busybox}\nnodes: [{name: a}]")
        #expect(try await sim.waitForWorkflow("one", namespace: "default").phase == .succeeded)

        first.kill()
        try await sim.submit("two", namespace: "default", spec: "defaults: {image: busybox}\nnodes: [{name: a}]")
        #expect(try await sim.waitForWorkflow("two", namespace: "default", timeout: 60).phase == .succeeded)
        let newLeader = try await sim.object("lease", "capstan-controller", namespace: "default")["spec"]?["holderIdentity"]?.stringValue
        #expect(newLeader != leader)
        #expect(try await second.stop() == 0)
    }
}
