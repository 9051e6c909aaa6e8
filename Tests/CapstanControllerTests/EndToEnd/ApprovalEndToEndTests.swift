import CapstanAPI
import Foundation
import Testing
import TestSupport

/// SPEC §12 and §13 on a cluster, as a user meets them: an approval node waits with its
/// message until `capstan approve` or `capstan reject`; a sleep node lets the next node run
/// only once its time has passed.
@Suite struct ApprovalEndToEndTests {
    private func capstan(_ sim: SimProcess, _ arguments: [String]) async throws -> ProcessResult {
        try await ProcessRunner.run(try CapstanBinary.path(), arguments + ["--kubeconfig", sim.kubeconfigPath])
    }

    private static let release = """
        inputs: {version: "2.0"}
        defaults: {image: busybox}
        nodes:
          - {name: gate, approval: {message: "Ship {{ inputs.version }}?"}}
          - {name: ship, dependsOn: [gate]}
        """

    /// `capstan approve|reject release gate`, which must succeed; then the finished workflow.
    private func decide(_ sim: SimProcess, _ command: String, _ done: String, namespace: String) async throws -> WorkflowStatus {
        let decided = try await capstan(sim, [command, "release", "gate", "-n", namespace])
        #expect(decided.exitCode == 0, "\(decided)")
        #expect(decided.stdout == "workflow.capstan.dev/release node gate \(done)\n")
        return try await sim.waitForWorkflow("release", namespace: namespace)
    }

    /// A command that must fail with exit 1 and say why on standard error.
    private func refused(_ sim: SimProcess, _ arguments: [String], saying message: String) async throws {
        let result = try await capstan(sim, arguments)
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stderr.contains(message), "\(result)")
    }

    /// Polls until the gate waits; returns its status.
    private func waitingGate(_ sim: SimProcess, _ workflow: String, namespace: String) async throws -> NodeStatus? {
        try await poll(timeout: .seconds(60), interval: .milliseconds(250)) { () async throws -> NodeStatus? in
            let status = WorkflowStatus(json: try await sim.object("workflow", workflow, namespace: namespace)["status"])
            return status.nodes["gate"].flatMap { $0.phase == .running ? $0 : nil }
        }
    }

    @Test func anApprovalNodeWaitsWithItsMessageUntilApproved() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("approve")
        try await sim.submit("release", namespace: ns, spec: Self.release)
        let gate = try #require(try await waitingGate(sim, "release", namespace: ns), "the gate never started waiting")
        #expect(gate.message == "Ship 2.0?")
        let waiting = WorkflowStatus(json: try await sim.object("workflow", "release", namespace: ns)["status"])
        #expect(waiting.phase == .running)
        #expect(waiting.nodes["ship"]?.phase == .pending, "nothing after the gate runs before the decision")
        #expect(try await sim.list("pods", namespace: ns).isEmpty, "an approval node runs no pod")

        try await refused(sim, ["approve", "release", "ship", "-n", ns], saying: #"error: node "ship" of workflow "release" is not an approval node"#)

        let status = try await decide(sim, "approve", "approved", namespace: ns)
        #expect(status.phase == .succeeded)
        #expect(status.nodes["gate"]?.phase == .succeeded)
        #expect(status.nodes["ship"]?.phase == .succeeded, "the node after the gate ran")
        let spec = try await sim.object("workflow", "release", namespace: ns)["spec"]
        #expect(spec?["approvals"] == ["gate": "Approved"])

        try await refused(sim, ["reject", "release", "gate", "-n", ns], saying: "is not waiting for approval: it is Succeeded")
        try await refused(sim, ["approve", "nope", "gate", "-n", ns], saying: #"Error from server (NotFound): workflows.capstan.dev "nope" not found"#)
    }

    @Test func aRejectedApprovalNodeFailsWithReasonRejected() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("reject")
        try await sim.submit("release", namespace: ns, spec: Self.release)
        try #require(try await waitingGate(sim, "release", namespace: ns) != nil, "the gate never started waiting")
        let status = try await decide(sim, "reject", "rejected", namespace: ns)
        #expect(status.phase == .failed)
        #expect(status.nodes["gate"]?.phase == .failed)
        #expect(status.nodes["gate"]?.failures.last?.reason == .rejected)
        #expect(status.nodes["ship"]?.phase == .aborted, "the node after a rejected gate does not run")
        #expect(try await sim.list("pods", namespace: ns).isEmpty)
    }

    @Test func theNodeAfterASleepRunsOnceTheSleepHasPassed() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("sleep")
        try await sim.submit("nap", namespace: ns, spec: """
            defaults: {image: busybox}
            nodes: [{name: nap, sleep: 2s}, {name: after, dependsOn: [nap]}]
            """)
        let status = try await sim.waitForWorkflow("nap", namespace: ns)
        #expect(status.phase == .succeeded)
        let nap = try #require(status.nodes["nap"])
        let after = try #require(status.nodes["after"])
        let napStart = try #require(nap.startedAt), napEnd = try #require(nap.finishedAt)
        #expect(napEnd - napStart >= 2, "the sleep lasted its two seconds: \(nap)")
        #expect(try #require(after.startedAt) >= napEnd, "after started only once the sleep was over")
        #expect(after.attempts == 1 && nap.attempts == 0)
    }
}
