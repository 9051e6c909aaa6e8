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
}
