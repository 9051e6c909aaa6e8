import CapstanAPI
import Foundation
import Testing
import TestSupport

/// The controller killed with SIGKILL in the middle of a 30-node chain and started again:
/// the workflow finishes and no node ran more than one attempt.
@Suite struct CrashRecoveryTests {
    @Test func aKilledControllerResumesWithoutRunningAnyAttemptTwice() async throws {
        let sim = try await SimProcess.start(["--nodes", "2"])
        #expect(try await sim.applyCRDs().exitCode == 0)
        let nodes = (0..<30).map { i in
            "  - {name: n\(i)\(i > 0 ? ", dependsOn: [n\(i - 1)]" : ""), podMetadata: {annotations: {sim.capstan.dev/duration: 200ms}}}"
        }
        try await sim.submit("chain", namespace: "default", spec: "podGC: Never\ndefaults: {image: busybox}\nnodes:\n" + nodes.joined(separator: "\n"))
        let first = try RunningController.start(kubeconfig: sim.kubeconfigPath)
        #expect(try await eventually(timeout: .seconds(60), interval: .milliseconds(200)) {
            let status = WorkflowStatus(json: try await sim.object("workflow", "chain", namespace: "default")["status"])
            return status.nodes.values.filter { $0.phase == .succeeded }.count >= 8
        }, "fewer than 8 nodes succeeded within 60s")
        first.kill()
        let second = try RunningController.start(kubeconfig: sim.kubeconfigPath, storeDirectory: first.storeDirectory)
        let status = try await sim.waitForWorkflow("chain", namespace: "default", timeout: 120)
        #expect(status.phase == .succeeded)
        #expect(status.nodes.count == 30)
        #expect(status.nodes.values.allSatisfy { $0.attempts == 1 },
                "attempts: \(status.nodes.filter { $0.value.attempts != 1 }.map { "\($0.key)=\($0.value.attempts) \($0.value.failures)" })\nfirst controller: \(first.log.suffix(4000))\nsecond: \(second.log.suffix(4000))")
        let pods = try await sim.list("pods", namespace: "default", selector: "capstan.dev/workflow=chain")
        #expect(pods.count == 30)
        #expect(pods.allSatisfy { $0["metadata"]?["labels"]?["capstan.dev/attempt"] == "0" })
        #expect(try await second.stop() == 0)
    }
}
