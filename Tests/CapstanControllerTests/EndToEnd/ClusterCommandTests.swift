import CapstanAPI
import Foundation
import Testing
import TestSupport

/// SPEC §13: `capstan submit`, `capstan get` and `capstan logs` against a cluster, as a user
/// runs them.
@Suite struct ClusterCommandTests {
    private func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("submit-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func submitWatchOfAFailingWorkflowExitsOneAndShowsTheFailure() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("submit")
        let path = try file("""
            apiVersion: capstan.dev/v1alpha1
            kind: Workflow
            metadata: {name: nightly}
            spec:
              inputs: {epochs: 1}
              defaults: {image: busybox}
              nodes:
                - {name: prep}
                - name: train
                  dependsOn: [prep]
                  podMetadata: {annotations: {sim.capstan.dev/exit-code: "3"}}
            """)
        let watched = try await sim.capstan(["submit", path, "-n", ns, "-p", "epochs=5", "--watch"])
        #expect(watched.exitCode == 1, "\(watched)")
        #expect(watched.stdout.hasPrefix("workflow.capstan.dev/nightly created\n"), "\(watched)")
        #expect(watched.stdout.contains("Phase:     Failed (NodeFailed)"), "\(watched)")
        #expect(watched.stdout.contains("train(0) Error, exit code 3"), "the failed attempt is named in the tree: \(watched)")
        let created = try await sim.object("workflow", "nightly", namespace: ns)
        #expect(created["spec"]?["inputs"]?["epochs"] == 5, "-p set the input, typed as JSON")

        let again = try await sim.capstan(["submit", path, "-n", ns])
        #expect(again.exitCode == 1)
        #expect(again.stderr.contains(#"Error from server (AlreadyExists): workflows.capstan.dev "nightly" already exists"#), "\(again)")
        let generated = try await sim.capstan(["submit", path, "-n", ns, "--generate-name"])
        #expect(generated.exitCode == 0, "\(generated)")
        #expect(generated.stdout.hasPrefix("workflow.capstan.dev/nightly-") && generated.stdout != "workflow.capstan.dev/nightly-\n",
                "\(generated)")
    }

    @Test func submitRefusesWhatIsInvalidWithExitTwo() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("submit-bad")
        let invalid = try file("""
            apiVersion: capstan.dev/v1alpha1
            kind: Workflow
            metadata: {name: broken}
            spec:
              nodes: [{name: a, image: busybox, dependsOn: [missing]}]
            """)
        let refused = try await sim.capstan(["submit", invalid, "-n", ns])
        #expect(refused.exitCode == 2, "\(refused)")
        #expect(refused.stderr.contains("\(invalid): error: spec.nodes[0].dependsOn"), "the problem is located: \(refused)")
        #expect(try await sim.kubectl("get", "workflow", "broken", "-n", ns).exitCode != 0, "nothing was created")

        let valid = try file("""
            apiVersion: capstan.dev/v1alpha1
            kind: Workflow
            metadata: {name: ok, namespace: elsewhere}
            spec:
              inputs: {epochs: 1}
              nodes: [{name: a, image: busybox}]
            """)
        let unknownInput = try await sim.capstan(["submit", valid, "-p", "epoch=3"])
        #expect(unknownInput.exitCode == 2)
        #expect(unknownInput.stderr.contains("spec.inputs has no \"epoch\"; the workflow's inputs are epochs"), "\(unknownInput)")
        let mismatch = try await sim.capstan(["submit", valid, "-n", ns])
        #expect(mismatch.exitCode == 2)
        #expect(mismatch.stderr.contains("the namespace from the provided object \"elsewhere\" does not match the namespace \"\(ns)\""),
                "\(mismatch)")
    }

    @Test func getShowsAFinishedMapAsATree() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("get")
        try await sim.submit("sweep", namespace: ns, spec: """
            defaults: {image: busybox}
            nodes:
              - {name: list, outputs: [items], podMetadata: {annotations: {sim.capstan.dev/outputs: '{"items": [1,2,3,4]}'}}}
              - {name: train, dependsOn: [list], map: {over: "{{ nodes.list.outputs.items }}"}}
            """)
        #expect(try await sim.waitForWorkflow("sweep", namespace: ns).phase == .succeeded)
        let tree = try await sim.capstan(["get", "sweep", "-n", ns])
        #expect(tree.exitCode == 0, "\(tree)")
        let lines = tree.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("Phase:") && $0.hasSuffix("Succeeded") }, "\(tree)")
        #expect(lines.contains { $0.hasPrefix("├─ list") && $0.contains("Succeeded") }, "\(tree)")
        #expect(lines.contains { $0.hasPrefix("└─ train") && $0.contains("Succeeded") }, "\(tree)")
        #expect(lines.contains("   items: 4/4 succeeded"), "map progress under its node: \(tree)")

        let json = try await sim.capstan(["get", "sweep", "-n", ns, "-o", "json"])
        #expect(try JSONValue.parse(json.stdout)["status"]?["nodes"]?["train"]?["phase"] == "Succeeded")
        let yaml = try await sim.capstan(["get", "sweep", "-n", ns, "-o", "yaml"])
        #expect(yaml.stdout.contains("kind: Workflow"), "\(yaml)")
        let missing = try await sim.capstan(["get", "nope", "-n", ns])
        #expect(missing.exitCode == 1)
        #expect(missing.stderr.contains(#"workflows.capstan.dev "nope" not found"#), "\(missing)")
    }

    @Test func logsOfATwoNodeRunArePrefixedByNodeAndAttempt() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("logs")
        try await sim.submit("pair", namespace: ns, spec: """
            podGC: Never
            defaults: {image: busybox}
            nodes:
              - {name: a, podMetadata: {annotations: {sim.capstan.dev/log: "hello from a\\nbye\\n"}}}
              - {name: b, dependsOn: [a], podMetadata: {annotations: {sim.capstan.dev/log: "hello from b\\n"}}}
            """)
        #expect(try await sim.waitForWorkflow("pair", namespace: ns).phase == .succeeded)
        let all = try await sim.capstan(["logs", "pair", "-n", ns])
        #expect(all.exitCode == 0, "\(all)")
        #expect(all.stdout == "a(0): hello from a\na(0): bye\nb(0): hello from b\n", "\(all)")
        let onlyB = try await sim.capstan(["logs", "pair", "b", "-n", ns])
        #expect(onlyB.stdout == "b(0): hello from b\n", "\(onlyB)")
        let unknown = try await sim.capstan(["logs", "pair", "c", "-n", ns])
        #expect(unknown.exitCode == 1)
        #expect(unknown.stderr.contains("workflow pair has no node \"c\"; its nodes are a, b"), "\(unknown)")
    }

    @Test func logsFollowsRetriesUntilTheWorkflowEnds() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("logs-follow")
        // podGC: Never, so that a loaded machine that starts `capstan logs` late still finds
        // both attempts' pods: with the default, a finished node's pods go with its success.
        try await sim.submit("flaky", namespace: ns, spec: """
            podGC: Never
            defaults: {image: busybox}
            nodes:
              - name: step
                retries: 1
                podMetadata:
                  annotations: {sim.capstan.dev/fail-attempts: "1", sim.capstan.dev/duration: 2s, sim.capstan.dev/log: "working\\n"}
            """)
        let followed = try await sim.capstan(["logs", "flaky", "-n", ns, "-f"])
        #expect(followed.exitCode == 0, "\(followed)")
        #expect(followed.stdout.contains("step(0): working\n"), "the failed first attempt's log: \(followed)")
        #expect(followed.stdout.contains("step(1): working\n"), "the retry's log: \(followed)")
        #expect(WorkflowStatus(json: try await sim.object("workflow", "flaky", namespace: ns)["status"]).phase == .succeeded,
                "-f returned once the Workflow had finished")
    }

    @Test func logsExplainsPodsDeletedAfterTheirSuccess() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("logs-gone")
        try await sim.submit("done", namespace: ns, spec: """
            defaults: {image: busybox}
            nodes: [{name: step, podMetadata: {annotations: {sim.capstan.dev/log: "working\\n"}}}]
            """)
        #expect(try await sim.waitForWorkflow("done", namespace: ns).phase == .succeeded)
        #expect(try await eventually(timeout: .seconds(60), interval: .milliseconds(250)) {
            try await sim.list("pods", namespace: ns).isEmpty
        }, "podGC: OnSuccess deletes the pod once its outputs are saved")
        let after = try await sim.capstan(["logs", "done", "-n", ns])
        #expect(after.exitCode == 0)
        #expect(after.stdout.isEmpty)
        #expect(after.stderr.contains("no pod of done is left to read"), "\(after)")
    }
}
