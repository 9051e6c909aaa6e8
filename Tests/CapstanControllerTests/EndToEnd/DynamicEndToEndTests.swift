import CapstanAPI
import Foundation
import Testing
import TestSupport

/// SPEC §12: a dynamic node's task builds a Workflow spec that runs as a child Workflow.
@Suite struct DynamicEndToEndTests {
    @Test func theBuiltWorkflowRunsAndItsOutputsAreTheNodes() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("dynamic")
        // The child's outputs are constants here: a template in the annotation would be the parent's.
        let built: JSONValue = ["nodes": [["name": "leaf", "image": "busybox"]], "outputs": ["count": 5]]
        let annotation = JSONValue.object(["workflow": built]).jsonString.replacingOccurrences(of: "'", with: "''")
        try await sim.submit("planner", namespace: ns, spec: """
            podGC: Never
            defaults: {image: busybox}
            nodes:
              - {name: plan, dynamic: true, outputs: [workflow, count], podMetadata: {annotations: {sim.capstan.dev/outputs: '\(annotation)'}}}
              - {name: after, inputs: {count: "{{ nodes.plan.outputs.count }}"}}
            """)
        let status = try await sim.waitForWorkflow("planner", namespace: ns)
        #expect(status.phase == .succeeded, "\(status)")
        let children = try await sim.list("workflows", namespace: ns, selector: "capstan.dev/parent=planner")
        #expect(children.count == 1)
        #expect(children.first?["spec"]?["nodes"]?[0]?["name"] == "leaf", "the child runs the spec the task built")
        let pods = try await sim.list("pods", namespace: ns, selector: "capstan.dev/workflow=planner")
        let env = pods.first { $0["metadata"]?["labels"]?["capstan.dev/node"] == "after" }?["spec"]?["containers"]?[0]?["env"]?.arrayValue ?? []
        #expect(env.first { $0["name"] == "CAPSTAN_INPUTS" }?["value"] == #"{"count":5}"#, "the child's output reached the next node")
    }

    @Test func anInvalidBuiltSpecFailsWithEveryProblemLocated() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("dynamic-bad")
        try await sim.submit("planner", namespace: ns, spec: """
            defaults: {image: busybox}
            nodes:
              - {name: plan, dynamic: true, outputs: [workflow], podMetadata: {annotations: {sim.capstan.dev/outputs: '{"workflow": {"nodes": [{"name": "Bad_Name"}]}}'}}}
            """)
        let status = try await sim.waitForWorkflow("planner", namespace: ns)
        #expect(status.phase == .failed)
        let failure = try #require(status.nodes["plan"]?.failures.last)
        #expect(failure.reason == .invalidDynamicSpec)
        #expect(failure.message?.hasPrefix("the workflow the task built is invalid: workflow.nodes[0].name: \"Bad_Name\" must be a DNS-1123 label") == true,
                "\(failure)")
        #expect(failure.message?.contains("workflow.nodes[0].image: is required") == true, "every problem: \(failure)")
        #expect(try await sim.list("workflows", namespace: ns, selector: "capstan.dev/parent=planner").isEmpty, "no child was created")
    }

    @Test func aBuiltWorkflowOfFiftyNodesWithDependenciesRuns() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("dynamic-fifty")
        let nodes: [JSONValue] = (0..<50).map { i in
            var node: JSONValue = ["name": .string("n\(i)"), "image": "busybox"]
            if i > 0 { node["dependsOn"] = .array(Set([i - 1, i / 2]).sorted().map { .string("n\($0)") }) }
            return node
        }
        let annotation = JSONValue.object(["workflow": ["nodes": .array(nodes), "outputs": ["done": true]]]).jsonString
        try await sim.submit("wide", namespace: ns, spec: """
            defaults: {image: busybox}
            nodes:
              - {name: plan, dynamic: true, outputs: [workflow, done], podMetadata: {annotations: {sim.capstan.dev/outputs: '\(annotation)'}}}
            """)
        let status = try await sim.waitForWorkflow("wide", namespace: ns, timeout: 180)
        #expect(status.phase == .succeeded, "\(status)")
        let child = try #require(try await sim.list("workflows", namespace: ns, selector: "capstan.dev/parent=wide").first)
        let childStatus = WorkflowStatus(json: child["status"])
        #expect(childStatus.nodes.count == 50)
        #expect(childStatus.nodes.values.allSatisfy { $0.phase == .succeeded })
    }

    @Test func aCachedOrRecoveredDynamicNodeBuildsNoNewChild() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("dynamic-reuse")
        let annotation = JSONValue.object(["workflow": ["nodes": [["name": "leaf", "image": "busybox"]], "outputs": ["count": 3]]]).jsonString
        let plan = "{name: plan, dynamic: true, outputs: [workflow, count], cache: {version: \"1\"}, podMetadata: {annotations: {sim.capstan.dev/outputs: '\(annotation)'}}}"
        try await sim.submit("first", namespace: ns, spec: "defaults: {image: busybox}\nnodes: [\(plan)]")
        #expect(try await sim.waitForWorkflow("first", namespace: ns).phase == .succeeded)
        try await sim.submit("second", namespace: ns, spec: "defaults: {image: busybox}\nnodes: [\(plan)]")
        let second = try await sim.waitForWorkflow("second", namespace: ns)
        #expect(second.nodes["plan"]?.cached == true, "the same task and inputs: the outputs come from the cache")
        #expect(try await sim.list("workflows", namespace: ns, selector: "capstan.dev/parent=second").isEmpty, "no child built again")

        let uncached = plan.replacingOccurrences(of: "cache: {version: \"1\"}, ", with: "")
        try await sim.submit("flaky", namespace: ns, spec: """
            failurePolicy: Continue
            defaults: {image: busybox}
            nodes:
              - \(uncached)
              - {name: use, inputs: {count: "{{ nodes.plan.outputs.count }}"}, podMetadata: {annotations: {sim.capstan.dev/exit-code: "2"}}}
            """)
        #expect(try await sim.waitForWorkflow("flaky", namespace: ns).phase == .failed)
        let retried = try await sim.capstan(["retry", "flaky", "-n", ns])
        #expect(retried.stdout == "flaky-retry-1\n", "\(retried)")
        let retry = try await sim.waitForWorkflow("flaky-retry-1", namespace: ns)
        #expect(retry.nodes["plan"]?.recovered == true, "recoverFrom reuses the dynamic node: \(retry.nodes["plan"].map { "\($0)" } ?? "")")
        #expect(try await sim.list("workflows", namespace: ns, selector: "capstan.dev/parent=flaky-retry-1").isEmpty, "no child built again")
    }
}
