import CapstanAPI
import Foundation
import Testing
import TestSupport

/// SPEC §13: `capstan abort` and `capstan retry` against a cluster, as a user runs them.
@Suite struct OperateCommandTests {
    @Test func abortStopsARunningWorkflow() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("abort")
        try await sim.submit("long", namespace: ns, spec: """
            defaults: {image: busybox}
            nodes: [{name: t, podMetadata: {annotations: {sim.capstan.dev/duration: 10m}}}]
            """)
        #expect(try await eventually(timeout: .seconds(30), interval: .milliseconds(200)) {
            WorkflowStatus(json: try await sim.object("workflow", "long", namespace: ns)["status"]).phase == .running
        })
        let aborted = try await sim.capstan(["abort", "long", "-n", ns])
        #expect(aborted.exitCode == 0, "\(aborted)")
        #expect(aborted.stdout == "workflow.capstan.dev/long aborted\n")
        #expect(try await sim.waitForWorkflow("long", namespace: ns, timeout: 60).phase == .aborted)

        let missing = try await sim.capstan(["abort", "nope", "-n", ns])
        #expect(missing.exitCode == 1)
        #expect(missing.stderr.contains(#"workflows.capstan.dev "nope" not found"#), "\(missing)")
    }

    @Test func retryRunsAgainReusingWhatSucceeded() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("retry")
        try await sim.submit("flaky", namespace: ns, spec: """
            failurePolicy: Continue
            defaults: {image: busybox}
            nodes:
              - {name: prep, outputs: [rows], podMetadata: {annotations: {sim.capstan.dev/outputs: '{"rows": 3}'}}}
              - {name: train, dependsOn: [prep], podMetadata: {annotations: {sim.capstan.dev/exit-code: "2"}}}
            """)
        #expect(try await sim.waitForWorkflow("flaky", namespace: ns).phase == .failed)
        let first = try await sim.capstan(["retry", "flaky", "-n", ns])
        #expect(first.exitCode == 0, "\(first)")
        #expect(first.stdout == "flaky-retry-1\n")
        let status = try await sim.waitForWorkflow("flaky-retry-1", namespace: ns)
        #expect(status.nodes["prep"]?.recovered == true, "prep succeeded before: reused, not run")
        #expect(status.nodes["train"]?.failures.first?.exitCode == 2, "train ran again")
        let retry = try await sim.object("workflow", "flaky-retry-1", namespace: ns)
        #expect(retry["spec"]?["recoverFrom"] == "flaky")
        #expect(try await sim.capstan(["retry", "flaky", "-n", ns]).stdout == "flaky-retry-2\n")
    }
}
