import CapstanAPI
import Foundation
import Testing
import TestSupport

/// SPEC §11: WorkflowTemplates run by `spec.templateRef` and by `capstan submit --from`.
@Suite struct TemplateEndToEndTests {
    private func applyTemplate(_ sim: SimProcess, namespace: String) async throws {
        let applied = try await sim.kubectl(["apply", "-f", "-"], stdin: """
            apiVersion: capstan.dev/v1alpha1
            kind: WorkflowTemplate
            metadata: {name: nightly, namespace: \(namespace)}
            spec:
              inputs: {epochs: 1, lr: 0.1}
              podGC: Never
              defaults: {image: trainer:1}
              nodes:
                - {name: train, inputs: {epochs: "{{ inputs.epochs }}", lr: "{{ inputs.lr }}"}}
            """)
        try #require(applied.exitCode == 0, "\(applied)")
    }

    private func inputs(ofPodsIn namespace: String, workflow: String, _ sim: SimProcess) async throws -> JSONValue? {
        let pods = try await sim.list("pods", namespace: namespace, selector: "capstan.dev/workflow=\(workflow)")
        let env = pods.first?["spec"]?["containers"]?[0]?["env"]?.arrayValue ?? []
        return try env.first { $0["name"] == "CAPSTAN_INPUTS" }?["value"]?.stringValue.map { try JSONValue.parse($0) }
    }

    @Test func aWorkflowRunsItsTemplateWithItsOwnInputsOverTheTemplates() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("template")
        try await applyTemplate(sim, namespace: ns)
        try await sim.submit("run-1", namespace: ns, spec: "templateRef: {name: nightly}\ninputs: {epochs: 20}")
        let status = try await sim.waitForWorkflow("run-1", namespace: ns)
        #expect(status.phase == .succeeded, "\(status)")
        #expect(status.nodes["train"]?.phase == .succeeded)
        #expect(try await inputs(ofPodsIn: ns, workflow: "run-1", sim) == ["epochs": 20, "lr": 0.1])
        let saved = try await sim.object("workflow", "run-1", namespace: ns)
        #expect(saved["status"]?["templateSpec"]?["defaults"]?["image"] == "trainer:1", "the template as it was at the start is kept")
        let listed = try await sim.kubectl("get", "cwft", "-n", ns)
        #expect(listed.stdout.contains("nightly"), "kubectl knows the short name: \(listed)")
    }

    @Test func aMissingTemplateFailsWithTemplateNotFound() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("template-missing")
        try await sim.submit("orphan", namespace: ns, spec: "templateRef: {name: nowhere}")
        let status = try await sim.waitForWorkflow("orphan", namespace: ns)
        #expect(status.phase == .failed)
        #expect(status.reason == "TemplateNotFound")
        #expect(status.condition("Stalled")?.reason == "TemplateNotFound")
        #expect(status.message == "spec.templateRef.name: WorkflowTemplate \"nowhere\" not found in namespace \(ns)")
    }

    @Test func submitFromATemplate() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("template-submit")
        try await applyTemplate(sim, namespace: ns)
        let submitted = try await sim.capstan(["submit", "--from", "template/nightly", "-p", "epochs=5", "-n", ns, "--watch"])
        #expect(submitted.exitCode == 0, "\(submitted)")
        let created = try #require(submitted.stdout.split(separator: "\n").first.map(String.init))
        #expect(created.hasPrefix("workflow.capstan.dev/nightly-") && created.hasSuffix(" created"), "\(submitted)")
        let name = String(created.dropFirst("workflow.capstan.dev/".count).dropLast(" created".count))
        #expect(try await inputs(ofPodsIn: ns, workflow: name, sim) == ["epochs": 5, "lr": 0.1])

        let typo = try await sim.capstan(["submit", "--from", "template/nightly", "-p", "epoch=5", "-n", ns])
        #expect(typo.exitCode == 2)
        #expect(typo.stderr.contains("spec.inputs.epoch: WorkflowTemplate \"nightly\" declares no input \"epoch\"; its inputs are epochs, lr"),
                "\(typo)")
        let missing = try await sim.capstan(["submit", "--from", "template/nope", "-n", ns])
        #expect(missing.exitCode == 1)
        #expect(missing.stderr.contains(#"workflowtemplates.capstan.dev "nope" not found"#), "\(missing)")
    }
}
