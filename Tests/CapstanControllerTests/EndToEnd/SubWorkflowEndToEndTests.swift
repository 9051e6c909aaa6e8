import CapstanAPI
import Foundation
import Testing
import TestSupport

/// SPEC §11: a node with `workflow: {templateRef: …}` runs a child Workflow per attempt and
/// per map item, and follows it.
@Suite struct SubWorkflowEndToEndTests {
    private func apply(_ sim: SimProcess, _ manifest: String) async throws {
        let applied = try await sim.kubectl(["apply", "-f", "-"], stdin: manifest)
        try #require(applied.exitCode == 0, "\(applied)")
    }

    private func template(_ name: String, namespace: String, spec: String) -> String {
        let indented = spec.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
        return "apiVersion: capstan.dev/v1alpha1\nkind: WorkflowTemplate\nmetadata: {name: \(name), namespace: \(namespace)}\nspec:\n\(indented)\n"
    }

    @Test func aMapOfChildWorkflowsHandsTheirOutputsOn() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("subwf")
        try await apply(sim, template("score", namespace: ns, spec: """
            inputs: {shard: 0}
            defaults: {image: busybox}
            nodes:
              - {name: run, outputs: [score], podMetadata: {annotations: {sim.capstan.dev/outputs: '{"score": 7}'}}}
            outputs: {score: "{{ nodes.run.outputs.score }}", shard: "{{ inputs.shard }}"}
            """))
        try await sim.submit("parent", namespace: ns, spec: """
            podGC: Never
            nodes:
              - name: shards
                map: {over: [1, 2]}
                workflow: {templateRef: {name: score}}
                inputs: {shard: "{{ item }}"}
                outputs: [score]
              - name: total
                image: busybox
                inputs: {scores: "{{ nodes.shards.outputs.score }}"}
            """)
        let status = try await sim.waitForWorkflow("parent", namespace: ns)
        #expect(status.phase == .succeeded, "\(status)")
        #expect(status.nodes["shards"]?.map?.succeeded == 2)
        let children = try await sim.list("workflows", namespace: ns, selector: "capstan.dev/parent=parent")
        #expect(children.count == 2, "one child per item")
        for child in children {
            #expect(child["metadata"]?["ownerReferences"]?[0]?["name"] == "parent")
            #expect(child["spec"]?["templateRef"]?["name"] == "score")
            #expect(child["status"]?["phase"] == "Succeeded")
        }
        let shards = Set(children.compactMap { $0["status"]?["outputs"]?["shard"]?.intValue })
        #expect(shards == [1, 2], "each child got its item as input")
        let pods = try await sim.list("pods", namespace: ns, selector: "capstan.dev/workflow=parent")
        let env = pods.first { $0["metadata"]?["labels"]?["capstan.dev/node"] == "total" }?["spec"]?["containers"]?[0]?["env"]?.arrayValue ?? []
        let inputs = env.first { $0["name"] == "CAPSTAN_INPUTS" }?["value"]?.stringValue
        #expect(inputs == #"{"scores":[7,7]}"#, "the children's outputs reached the next node")
    }

    @Test func aMapOfFiveChildrenRunsAtMostTwoAtATime() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("subwf-limit")
        try await apply(sim, template("slow", namespace: ns, spec: """
            defaults: {image: busybox}
            nodes: [{name: t, podMetadata: {annotations: {sim.capstan.dev/duration: 3s}}}]
            """))
        try await sim.submit("parent", namespace: ns, spec: """
            nodes: [{name: trials, map: {over: [1, 2, 3, 4, 5], concurrency: 2}, workflow: {templateRef: {name: slow}}}]
            """)
        let parent = try await sim.waitForWorkflow("parent", namespace: ns, timeout: 180)
        #expect(parent.phase == .succeeded)
        let children = try await sim.list("workflows", namespace: ns, selector: "capstan.dev/parent=parent")
        #expect(children.count == 5)
        // From each child's creation to its finish; a child is created only once an earlier one
        // has been seen finished, so at no moment are more than two of these open.
        let spans = children.compactMap { child -> (Double, Double)? in
            guard let created = child["metadata"]?["creationTimestamp"]?.stringValue.flatMap(Timestamp.init(rfc3339:)),
                  let finished = WorkflowStatus(json: child["status"]).finishedAt else { return nil }
            return (created.secondsSince1970, finished.secondsSince1970)
        }
        #expect(spans.count == 5)
        let most = spans.map { span in spans.filter { $0.0 <= span.0 && span.0 < $0.1 }.count }.max() ?? 0
        #expect(most <= 2, "concurrency counts children: \(most) ran at once: \(spans)")
    }

    @Test func aFailedChildIsRetriedAsANewChild() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("subwf-retry")
        try await apply(sim, template("flaky", namespace: ns, spec: """
            defaults: {image: busybox}
            nodes: [{name: t, podMetadata: {annotations: {sim.capstan.dev/exit-code: "4"}}}]
            """))
        try await sim.submit("parent", namespace: ns, spec: """
            nodes:
              - {name: call, workflow: {templateRef: {name: flaky}}, retries: 1, retryBackoff: {initial: 1s}}
            """)
        let status = try await sim.waitForWorkflow("parent", namespace: ns)
        #expect(status.phase == .failed)
        let call = try #require(status.nodes["call"])
        #expect(call.attempts == 2, "a second child for the retry")
        #expect(call.failures.count == 2)
        #expect(call.failures.last?.message?.contains("child workflow") == true, "\(call.failures)")
        #expect(call.failures.last?.message?.contains("node t failed") == true, "the child's own reason is passed up: \(call.failures)")
        let children = try await sim.list("workflows", namespace: ns, selector: "capstan.dev/parent=parent")
        #expect(children.count == 2)
        let tree = try await sim.capstan(["get", "parent", "-n", ns])
        let childLines = tree.stdout.split(separator: "\n").filter { $0.trimmingCharacters(in: .whitespaces).hasPrefix("child workflow parent-call-") }
        #expect(childLines.count == 2 && childLines.allSatisfy { $0.contains("Failed: ") }, "capstan get lists the children: \(tree)")
    }

    /// Each child runs the template as it was when the child started (its
    /// `status.templateSpec`), and waits at an approval gate until the test lets it go: the
    /// template is fixed while the second child waits, so the first two children fail and the
    /// third succeeds, however slowly the machine answers.
    @Test func aChildThatFailsTwiceSucceedsOnTheThirdAttempt() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("subwf-third")
        let failing = template("flaky", namespace: ns, spec: """
            defaults: {image: busybox}
            nodes:
              - {name: gate, approval: {message: "Run attempt?"}}
              - {name: t, dependsOn: [gate], podMetadata: {annotations: {sim.capstan.dev/exit-code: "4"}}}
            """)
        try await apply(sim, failing)
        try await sim.submit("parent", namespace: ns, spec: """
            nodes:
              - {name: call, workflow: {templateRef: {name: flaky}}, retries: 2, retryBackoff: {initial: 1s}}
            """)
        /// The child of `attempt`, once it waits at its gate (and so has read the template).
        func waitingChild(_ attempt: Int) async throws -> String {
            let name = try await poll(timeout: .seconds(90), interval: .milliseconds(250)) { () async throws -> String? in
                let children = try await sim.list("workflows", namespace: ns, selector: "capstan.dev/parent=parent")
                let child = children.first { $0["metadata"]?["labels"]?["capstan.dev/attempt"]?.stringValue == String(attempt) }
                let gate = WorkflowStatus(json: child?["status"]).nodes["gate"]
                return gate?.phase == .running ? child?["metadata"]?["name"]?.stringValue : nil
            }
            return try #require(name, "the child of attempt \(attempt) never waited at its gate")
        }
        func approve(_ child: String) async throws {
            let approved = try await sim.capstan(["approve", child, "gate", "-n", ns])
            #expect(approved.exitCode == 0, "\(approved)")
        }

        try await approve(try await waitingChild(0))
        let second = try await waitingChild(1)
        try await apply(sim, failing.replacingOccurrences(of: #", podMetadata: {annotations: {sim.capstan.dev/exit-code: "4"}}"#, with: ""))
        try await approve(second)
        try await approve(try await waitingChild(2))

        let status = try await sim.waitForWorkflow("parent", namespace: ns, timeout: 120)
        #expect(status.phase == .succeeded, "\(status)")
        let call = try #require(status.nodes["call"])
        #expect(call.attempts == 3)
        #expect(call.failures.map(\.attempt) == [0, 1], "\(call.failures)")
        #expect(call.failures.allSatisfy { $0.message?.contains("node t failed") == true }, "\(call.failures)")
        let children = try await sim.list("workflows", namespace: ns, selector: "capstan.dev/parent=parent")
        let phases = Dictionary(uniqueKeysWithValues: children.compactMap { child in
            child["metadata"]?["labels"]?["capstan.dev/attempt"]?.stringValue.map { ($0, child["status"]?["phase"]?.stringValue ?? "") }
        })
        #expect(phases == ["0": "Failed", "1": "Failed", "2": "Succeeded"], "one child per attempt: \(phases)")
    }

    @Test func aTemplateThatRunsItselfStopsAtTenLevels() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("subwf-deep")
        try await apply(sim, template("again", namespace: ns, spec: """
            nodes: [{name: deeper, workflow: {templateRef: {name: again}}}]
            """))
        try await sim.submit("top", namespace: ns, spec: "templateRef: {name: again}")
        let status = try await sim.waitForWorkflow("top", namespace: ns, timeout: 180)
        #expect(status.phase == .failed)
        let all = try await sim.list("workflows", namespace: ns)
        #expect(all.count == 11, "the top Workflow and ten levels of children")
        let deepest = all.first { $0["metadata"]?["labels"]?["capstan.dev/depth"] == "10" }
        let failure = WorkflowStatus(json: deepest?["status"]).nodes["deeper"]?.failures.last
        #expect(failure?.reason == .tooDeep, "\(String(describing: deepest?["status"]))")
    }
}
