import Testing
import CapstanAPI
@testable import CapstanEngine

/// SPEC §12: `sleep` and `approval` nodes, and `spec.approvals`, checked before anything runs,
/// each mistake reported at its field.
@Suite struct PauseValidationTests {
    @Test(arguments: [
        ("nodes: [{name: nap, sleep: 30s, image: busybox}]", "spec.nodes[0].image", "a sleep node runs no pod: remove image"),
        ("nodes: [{name: g, approval: {}, retries: 2}]", "spec.nodes[0].retries", "an approval node runs no pod: remove retries"),
        ("nodes: [{name: g, approval: {}, timeout: 1h}]", "spec.nodes[0].timeout", "remove timeout"),
        ("nodes: [{name: g, approval: {}, cache: {version: '1'}}]", "spec.nodes[0].cache", "remove cache"),
        ("nodes: [{name: g, approval: {}, resources: {limits: {cpu: 1}}}]", "spec.nodes[0].resources", "remove resources"),
        ("nodes: [{name: g, approval: {}, outputs: [x]}]", "spec.nodes[0].outputs", "remove outputs"),
        ("nodes: [{name: g, approval: {}, map: {over: [1]}}]", "spec.nodes[0].map", "cannot be a map"),
        ("nodes: [{name: g, sleep: 1s, approval: {}}]", "spec.nodes[0].approval", "set sleep or approval, not both"),
        ("nodes: [{name: g, sleep: soon}]", "spec.nodes[0].sleep", "invalid duration \"soon\""),
        ("nodes: [{name: g, approval: {msg: hi}}]", "spec.nodes[0].approval.msg", "unknown field \"msg\""),
        ("nodes: [{name: g, approval: {timeout: 0s}}]", "spec.nodes[0].approval.timeout", "must be longer than 0s"),
        ("nodes: [{name: g, approval: {message: '{{ item }}'}}]", "spec.nodes[0].approval.message", "item is only defined inside a map node"),
        ("nodes: [{name: g, approval: {message: '{{ inputs.nope }}'}}]", "spec.nodes[0].approval.message", "unknown workflow input \"nope\""),
        ("nodes: [{name: g, approval: {message: '{{ x'}}]", "spec.nodes[0].approval.message", "unclosed"),
        ("defaults: {image: b}\nnodes: [{name: g, approval: {}}, {name: t, command: [echo, '{{ nodes.g.outputs.ok }}']}]",
         "spec.nodes[1].command[1]", "node \"g\" is an approval node, which produces no outputs"),
        ("approvals: {g: Sure}\nnodes: [{name: g, approval: {}}]", "spec.approvals.g", "\"Sure\" is not one of Approved, Rejected"),
        ("approvals: {gaet: Approved}\nnodes: [{name: gate, approval: {}}]", "spec.approvals.gaet", "unknown node \"gaet\"; did you mean \"gate\"?"),
        ("approvals: {t: Approved}\ndefaults: {image: b}\nnodes: [{name: t}]", "spec.approvals.t", "node \"t\" is not an approval node"),
        ("approvals: [g]\nnodes: [{name: g, approval: {}}]", "spec.approvals", "must be a map of approval node name to Approved or Rejected"),
    ])
    func reportsTheMistakeAtItsField(yaml: String, path: String, message: String) throws {
        let problems = ValidatorTests.problems(of: try YAMLDocuments.load(yaml)[0])
        #expect(problems.contains { $0.path == path && $0.message.contains(message) }, "got: \(problems)")
    }

    @Test func defaultsDoNotApplyToNodesThatRunNoPod() throws {
        let compiled = try WorkflowCompiler.compile(try YAMLDocuments.load("""
            defaults: {image: busybox, retries: 3, timeout: 1h, outputs: [v], cache: {version: '1'}}
            approvals: {gate: Rejected}
            nodes:
              - {name: build}
              - {name: nap, sleep: 1m30s, when: "nodes.build.outputs.v > 1"}
              - {name: gate, dependsOn: [nap], approval: {message: "ship {{ nodes.build.outputs.v }} of {{ workflow.name }}?", timeout: 2h}}
            """)[0]).get()
        guard case .sleep(let duration) = try #require(compiled["nap"]).kind else { Issue.record("nap is not a sleep"); return }
        #expect(duration.seconds == 90)
        guard case .approval(let approval) = try #require(compiled["gate"]).kind else { Issue.record("gate is not an approval"); return }
        #expect(approval.timeout?.seconds == 7200)
        #expect(compiled["gate"]?.dependencies == ["build", "nap"], "the message's reference is a dependency")
        #expect(compiled["gate"]?.outputs == [])
        #expect(compiled["nap"]?.dependencies == ["build"])
        #expect(compiled.approvals == ["gate": .rejected])
        #expect(compiled["build"]?.kind.runsPods == true)
    }
}
