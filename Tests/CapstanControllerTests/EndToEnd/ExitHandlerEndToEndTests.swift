import CapstanAPI
import Foundation
import Testing
import TestSupport

/// SPEC §11 on a cluster: exit nodes run as pods once the main nodes have ended, see how
/// they ended, and decide the workflow's phase only when they fail after a success.
@Suite struct ExitHandlerEndToEndTests {
    private static func spec(trainExitCode: Int, notifyExitCode: Int) -> String {
        """
        podGC: Never
        defaults: {image: busybox}
        nodes:
          - {name: train, podMetadata: {annotations: {sim.capstan.dev/duration: 3s, sim.capstan.dev/exit-code: "\(trainExitCode)"}}}
        onExit:
          - name: notify
            podMetadata:
              annotations:
                sim.capstan.dev/exit-code: "\(notifyExitCode)"
                example.com/phase: "{{ workflow.phase }}"
                example.com/failed: "{{ workflow.failures }}"
        """
    }

    private func notifyPod(_ sim: SimProcess, _ workflow: String, namespace: String) async throws -> JSONValue {
        let pods = try await sim.list("pods", namespace: namespace, selector: "capstan.dev/workflow=\(workflow),capstan.dev/node=notify")
        return try #require(pods.first, "no pod for the exit node")
    }

    @Test func theExitNodeRunsAfterAFailureAndAFailedOneFailsASuccess() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("exit")
        try await sim.submit("broken", namespace: ns, spec: Self.spec(trainExitCode: 1, notifyExitCode: 0))
        try await sim.submit("noisy", namespace: ns, spec: Self.spec(trainExitCode: 0, notifyExitCode: 2))

        let broken = try await sim.waitForWorkflow("broken", namespace: ns, timeout: 180)
        #expect(broken.phase == .failed && broken.reason == "NodeFailed", "\(broken)")
        #expect(broken.nodes["train"]?.phase == .failed)
        #expect(broken.nodes["notify"]?.phase == .succeeded, "the exit node ran after the failure")
        #expect(broken.progress == "2/2")
        let pod = try await notifyPod(sim, "broken", namespace: ns)
        let annotations = pod["metadata"]?["annotations"]
        #expect(annotations?["example.com/phase"] == "Failed")
        let failures = try JSONValue.parse(annotations?["example.com/failed"]?.stringValue ?? "")
        #expect(failures[0]?["node"] == "train" && failures[0]?["reason"] == "Error", "\(failures)")
        let created = try #require(pod["metadata"]?["creationTimestamp"]?.stringValue.flatMap(Timestamp.init(rfc3339:)))
        let trainEnded = try #require(broken.nodes["train"]?.finishedAt)
        // Both times are kept in whole seconds; train ran 3s, so a pod made while it ran would be seen.
        #expect(created.secondsSince1970 >= trainEnded.secondsSince1970 - 1, "the exit pod was created once the main node had ended")
        let events = try await sim.list("events", namespace: ns)
        #expect(events.contains { $0["reason"] == "ExitNodesStarted" && $0["involvedObject"]?["name"] == "broken" },
                "an Event says the exit nodes started")

        let noisy = try await sim.waitForWorkflow("noisy", namespace: ns, timeout: 180)
        #expect(noisy.phase == .failed && noisy.reason == "ExitHandlerFailed", "\(noisy)")
        #expect(noisy.message?.hasPrefix("the main nodes succeeded, but exit node notify failed") == true, "\(noisy.message ?? "")")
        #expect(noisy.nodes["train"]?.phase == .succeeded)
        #expect(try await notifyPod(sim, "noisy", namespace: ns)["metadata"]?["annotations"]?["example.com/phase"] == "Succeeded")
    }
}
