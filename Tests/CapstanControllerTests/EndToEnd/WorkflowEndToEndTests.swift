import CapstanAPI
import Foundation
import Testing
import TestSupport

/// `capstan sim` and `capstan run` as real processes; Workflows applied and read back with
/// kubectl, pods run by the sim's scripted kubelet as their annotations say.
@Suite(.serialized) struct WorkflowEndToEndTests {
    @Test func dataFlowsThroughADiamond() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("diamond")
        try await sim.submit("diamond", namespace: ns, spec: """
            defaults: {image: busybox}
            nodes:
              - {name: a, outputs: [x], podMetadata: {annotations: {sim.capstan.dev/outputs: '{"x": 2}'}}}
              - name: b
                inputs: {x: "{{ nodes.a.outputs.x }}"}
                outputs: [doubled]
                podMetadata: {annotations: {sim.capstan.dev/outputs: '{"doubled": {{ nodes.a.outputs.x }}0}'}}
              - name: c
                outputs: [z]
                podMetadata: {annotations: {sim.capstan.dev/outputs: '{"z": "c saw {{ nodes.a.outputs.x }}"}'}}
              - name: d
                inputs: {d: "{{ nodes.b.outputs.doubled }}", z: "{{ nodes.c.outputs.z }}"}
                outputs: [total]
                podMetadata: {annotations: {sim.capstan.dev/outputs: '{"total": "{{ nodes.b.outputs.doubled }} and {{ nodes.c.outputs.z }}"}'}}
            outputs: {total: "{{ nodes.d.outputs.total }}"}
            """)
        let status = try await sim.waitForWorkflow("diamond", namespace: ns)
        #expect(status.phase == .succeeded)
        #expect(status.outputs == ["total": "20 and c saw 2"])
        #expect(status.progress == "4/4")
        #expect(status.condition("Ready")?.status == true)
    }

    @Test func retriesSucceedOnTheThirdAttemptWithHistory() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("retry")
        try await sim.submit("flaky", namespace: ns, spec: """
            defaults: {image: busybox}
            nodes:
              - {name: flaky, retries: 3, retryBackoff: {initial: 1s, max: 2s}, podMetadata: {annotations: {sim.capstan.dev/fail-attempts: "2", sim.capstan.dev/exit-code: "3"}}}
            """)
        let status = try await sim.waitForWorkflow("flaky", namespace: ns)
        #expect(status.phase == .succeeded)
        let node = try #require(status.nodes["flaky"])
        #expect(node.attempts == 3)
        #expect(node.failures.map(\.attempt) == [0, 1])
        #expect(node.failures.allSatisfy { $0.reason == .error && $0.exitCode == 3 })
    }

    @Test func exhaustedRetriesAndOOMKilledFail() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("oom")
        try await sim.submit("oom", namespace: ns, spec: """
            defaults: {image: busybox}
            nodes:
              - {name: hungry, retries: 1, retryBackoff: {initial: 1s}, podMetadata: {annotations: {sim.capstan.dev/reason: OOMKilled}}}
            """)
        let status = try await sim.waitForWorkflow("oom", namespace: ns)
        #expect(status.phase == .failed)
        #expect(status.condition("Stalled")?.status == true)
        let node = try #require(status.nodes["hungry"])
        #expect(node.attempts == 2)
        #expect(node.failures.map(\.reason) == [.oomKilled, .oomKilled])
        #expect(node.failures.first?.exitCode == 137)
    }

    @Test func anEvictionRetriesWithoutUsingRetries() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("evict")
        try await sim.submit("evict", namespace: ns, spec: """
            defaults: {image: busybox}
            nodes:
              - {name: t, retries: 0, podMetadata: {annotations: {sim.capstan.dev/fail-attempts: "1", sim.capstan.dev/reason: Evicted}}}
            """)
        let status = try await sim.waitForWorkflow("evict", namespace: ns)
        #expect(status.phase == .succeeded)
        #expect(status.nodes["t"]?.systemFailures == 1)
        #expect(status.nodes["t"]?.failures.first?.reason == .evicted)
    }

    @Test func aMapNeverRunsMoreThanItsConcurrency() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("map")
        try await sim.submit("fan", namespace: ns, spec: """
            podGC: Never
            defaults: {image: busybox}
            nodes:
              - name: sq
                map: {over: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19], concurrency: 3}
                outputs: [doubled]
                podMetadata: {annotations: {sim.capstan.dev/duration: 500ms, sim.capstan.dev/outputs: '{"doubled": {{ item }}}'}}
            """)
        let status = try await sim.waitForWorkflow("fan", namespace: ns, timeout: 120)
        #expect(status.phase == .succeeded)
        #expect(status.nodes["sq"]?.map?.succeeded == 20)
        let pods = try await sim.list("pods", namespace: ns)
        #expect(pods.count == 20)
        var intervals: [(Timestamp, Timestamp)] = []
        for pod in pods {
            let terminated = pod["status"]?["containerStatuses"]?[0]?["state"]?["terminated"]
            let start = try #require(terminated?["startedAt"]?.stringValue.flatMap(Timestamp.init(rfc3339:)) ?? pod["status"]?["startTime"]?.stringValue.flatMap(Timestamp.init(rfc3339:)))
            let end = try #require(terminated?["finishedAt"]?.stringValue.flatMap(Timestamp.init(rfc3339:)))
            intervals.append((start, end))
        }
        // At every start, count pods running then (whole-second timestamps: strict overlap).
        for (start, _) in intervals {
            let overlapping = intervals.filter { $0.0 <= start && $0.1 > start }.count
            #expect(overlapping <= 3)
        }
    }

    @Test(arguments: [(0.8, WorkflowPhase.succeeded), (0.95, WorkflowPhase.failed)])
    func minSuccessRatio(ratio: Double, expected: WorkflowPhase) async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("ratio")
        try await sim.submit("ratio", namespace: ns, spec: """
            defaults: {image: busybox}
            nodes:
              - name: m
                map: {over: [a, b, c, d, e, f, g, h, i, j], minSuccessRatio: \(ratio)}
                outputs: [v]
                podMetadata: {annotations: {sim.capstan.dev/fail-indexes: "3", sim.capstan.dev/outputs: '{"v": "{{ item }}"}'}}
            """)
        let status = try await sim.waitForWorkflow("ratio", namespace: ns)
        #expect(status.phase == expected)
        #expect(status.nodes["m"]?.map?.failed == 1)
    }

    @Test func whenSkipsAndPropagates() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("when")
        try await sim.submit("branch", namespace: ns, spec: """
            defaults: {image: busybox}
            nodes:
              - {name: score, outputs: [v], podMetadata: {annotations: {sim.capstan.dev/outputs: '{"v": 0.5}'}}}
              - {name: publish, when: "nodes.score.outputs.v > 0.9", outputs: [url]}
              - {name: announce, inputs: {url: "{{ nodes.publish.outputs.url }}"}}
              - {name: cleanup, dependsOn: [publish]}
            """)
        let status = try await sim.waitForWorkflow("branch", namespace: ns)
        #expect(status.phase == .succeeded)
        #expect(status.nodes["publish"]?.phase == .skipped)
        #expect(status.nodes["announce"]?.phase == .skipped)
        #expect(status.nodes["cleanup"]?.phase == .succeeded)
    }

    @Test(arguments: ["FailFast", "Continue"])
    func failurePolicy(policy: String) async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("policy")
        try await sim.submit("policy", namespace: ns, spec: """
            failurePolicy: \(policy)
            defaults: {image: busybox}
            nodes:
              - {name: bad, podMetadata: {annotations: {sim.capstan.dev/exit-code: "1"}}}
              - {name: slow, podMetadata: {annotations: {sim.capstan.dev/duration: 3s}}}
              - {name: after-bad, dependsOn: [bad]}
            """)
        let status = try await sim.waitForWorkflow("policy", namespace: ns)
        #expect(status.phase == .failed)
        #expect(status.nodes["after-bad"]?.phase == .aborted)
        #expect(status.nodes["slow"]?.phase == (policy == "FailFast" ? .aborted : .succeeded))
    }

    @Test func timeoutsAndTheWorkflowDeadline() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("deadline")
        try await sim.submit("timeout", namespace: ns, spec: """
            defaults: {image: busybox}
            nodes:
              - {name: slow, timeout: 1s, retries: 1, retryBackoff: {initial: 1s}, podMetadata: {annotations: {sim.capstan.dev/duration: 1h}}}
            """)
        let timedOut = try await sim.waitForWorkflow("timeout", namespace: ns)
        #expect(timedOut.phase == .failed)
        #expect(timedOut.nodes["slow"]?.failures.map(\.reason) == [.deadlineExceeded, .deadlineExceeded])

        try await sim.submit("deadline", namespace: ns, spec: """
            activeDeadline: 2s
            defaults: {image: busybox}
            nodes: [{name: forever, podMetadata: {annotations: {sim.capstan.dev/duration: 1h}}}]
            """)
        let late = try await sim.waitForWorkflow("deadline", namespace: ns)
        #expect(late.phase == .failed)
        #expect(late.reason == "DeadlineExceeded")
        #expect(late.nodes["forever"]?.phase == .aborted)
    }

    @Test func abortStopsARunningWorkflow() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("abort")
        try await sim.submit("stopme", namespace: ns, spec: """
            defaults: {image: busybox}
            nodes: [{name: long, podMetadata: {annotations: {sim.capstan.dev/duration: 1h}}}]
            """)
        #expect(try await eventually(timeout: .seconds(30), interval: .milliseconds(200)) { try await sim.list("pods", namespace: ns).count == 1 })
        let patched = try await sim.kubectl("patch", "workflow", "stopme", "-n", ns, "--type", "merge", "-p", "{\"spec\":{\"abort\":true}}")
        #expect(patched.exitCode == 0)
        let status = try await sim.waitForWorkflow("stopme", namespace: ns)
        #expect(status.phase == .aborted)
        #expect(status.nodes["long"]?.phase == .aborted)
        #expect(try await eventually(timeout: .seconds(30), interval: .milliseconds(200)) { try await sim.list("pods", namespace: ns).isEmpty })
    }

    @Test func anInvalidSpecIsStalled() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("invalid")
        try await sim.submit("broken", namespace: ns, spec: """
            nodes: [{name: a, image: busybox, dependsOn: [ghost]}]
            """)
        let status = try await sim.waitForWorkflow("broken", namespace: ns)
        #expect(status.phase == .failed)
        #expect(status.condition("Stalled")?.reason == "InvalidSpec")
        #expect(status.message?.contains("unknown node \"ghost\"") == true)
    }

    @Test func aPodDeletedByHandIsRetriedAsASystemFailure() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("deleted")
        try await sim.submit("victim", namespace: ns, spec: """
            defaults: {image: busybox}
            nodes: [{name: t, podMetadata: {annotations: {sim.capstan.dev/duration: 4s}}}]
            """)
        #expect(try await eventually(timeout: .seconds(30), interval: .milliseconds(200)) { try await sim.list("pods", namespace: ns).count == 1 })
        let pod = try #require(try await sim.list("pods", namespace: ns).first?["metadata"]?["name"]?.stringValue)
        #expect(try await sim.kubectl("delete", "pod", pod, "-n", ns, "--wait=false").exitCode == 0)
        let status = try await sim.waitForWorkflow("victim", namespace: ns)
        #expect(status.phase == .succeeded)
        #expect(status.nodes["t"]?.failures.first?.reason == .podDeleted)
        #expect(status.nodes["t"]?.attempts == 2)
    }

    @Test func gpuPodsGetTheirShape() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("gpu")
        try await sim.submit("gpu", namespace: ns, spec: """
            podGC: Never
            defaults: {image: busybox}
            nodes: [{name: train, resources: {requests: {cpu: 500m, memory: 1Gi}, limits: {nvidia.com/gpu: 1}}}]
            """)
        #expect(try await eventually(timeout: .seconds(30), interval: .milliseconds(200)) { try await sim.list("pods", namespace: ns).count == 1 })
        let pod = try #require(try await sim.list("pods", namespace: ns).first)
        let spec = try #require(pod["spec"])
        #expect(spec["containers"]?[0]?["resources"]?["limits"]?["nvidia.com/gpu"] == "1")
        #expect(spec["tolerations"]?.arrayValue?.contains { $0["key"] == "nvidia.com/gpu" && $0["effect"] == "NoSchedule" } == true)
        #expect(spec["restartPolicy"] == "Never")
        #expect(pod["metadata"]?["ownerReferences"]?[0]?["kind"] == "Workflow")
        // The simulated nodes have no GPUs: the pod is unschedulable and the attempt fails after the configured wait.
        let status = try await sim.waitForWorkflow("gpu", namespace: ns)
        #expect(status.nodes["train"]?.failures.first?.reason == .unschedulable)
    }
}
