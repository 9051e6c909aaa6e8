import Testing
import CapstanAPI
@testable import CapstanEngine

/// SPEC §11: `spec.onExit`, checked before anything runs. Exit nodes may depend on each other
/// and read main nodes; nothing in the main DAG may wait for them or read them, and only they
/// may read `workflow.phase` and `workflow.failures`.
@Suite struct ExitNodeValidationTests {
    @Test(arguments: [
        ("nodes: [{name: a}]\nonExit: [{name: a}]", "spec.onExit[0].name",
         "\"a\" is already the name of a main node; exit nodes share status.nodes with them"),
        ("nodes: [{name: a}]\nonExit: [{name: note}, {name: note}]", "spec.onExit[1].name", "duplicate node name \"note\""),
        ("nodes: [{name: a, dependsOn: [note]}]\nonExit: [{name: note}]", "spec.nodes[0].dependsOn[0]",
         "node \"note\" is an exit node (spec.onExit): it runs after every main node has ended, so a main node cannot depend on it"),
        ("nodes: [{name: a, command: ['{{ nodes.note.outputs.x }}']}]\nonExit: [{name: note, outputs: [x]}]", "spec.nodes[0].command[0]",
         "nodes.note.outputs.x: node \"note\" is an exit node (spec.onExit), which runs after the main nodes have ended"),
        ("outputs: {r: '{{ nodes.note.outputs.x }}'}\nnodes: [{name: a}]\nonExit: [{name: note, outputs: [x]}]", "spec.outputs.r",
         "only other exit nodes can read its outputs"),
        ("nodes: [{name: a, command: [echo, '{{ workflow.phase }}']}]", "spec.nodes[0].command[1]",
         "workflow.phase: only exit nodes (spec.onExit) can read workflow.phase"),
        ("nodes: [{name: a, when: 'size(workflow.failures) > 0'}]", "spec.nodes[0].when",
         "only exit nodes (spec.onExit) can read workflow.failures"),
        ("outputs: {p: '{{ workflow.phase }}'}\nnodes: [{name: a}]", "spec.outputs.p", "only exit nodes (spec.onExit) can read workflow.phase"),
        ("nodes: [{name: a}]\nonExit: [{name: note, dependsOn: [mail]}, {name: mail, dependsOn: [note]}]", "spec.onExit[0]",
         "dependency cycle: \"note\" → \"mail\" → \"note\""),
        ("nodes: [{name: a}]\nonExit: [{name: note, dependsOn: [nope]}]", "spec.onExit[0].dependsOn[0]", "unknown node \"nope\""),
        ("nodes: [{name: a}]\nonExit: [{name: note, command: ['{{ nodes.a.outputs.y }}']}]", "spec.onExit[0].command[0]",
         "node \"a\" has no output \"y\""),
        ("nodes: [{name: a}]\nonExit: [{name: note, colour: red}]", "spec.onExit[0].colour", "unknown field"),
        ("nodes: [{name: a}]\nonExit: [{name: note, command: ['{{ workflow.result }}']}]", "spec.onExit[0].command[0]",
         "unknown workflow field \"result\"; expected name, namespace, uid, phase or failures"),
        ("nodes: [{name: a}]\nonExit: {name: note}", "spec.onExit", "list"),
    ])
    func reportsTheMistakeAtItsField(yaml: String, path: String, message: String) throws {
        let problems = ValidatorTests.problems(of: try YAMLDocuments.load("defaults: {image: busybox}\n" + yaml)[0])
        #expect(problems.contains { $0.path == path && $0.message.contains(message) }, "got: \(problems)")
    }

    @Test func exitNodesReadTheMainNodesTheResultAndEachOther() throws {
        let compiled = try WorkflowCompiler.compile(try YAMLDocuments.load("""
            defaults: {image: busybox}
            approvals: {confirm: Approved}
            nodes:
              - {name: train, outputs: [model]}
            onExit:
              - name: report
                when: "workflow.phase == 'Failed' || size(workflow.failures) > 0"
                command: [echo, "{{ workflow.phase }} {{ workflow.failures }} {{ nodes.train.outputs.model }}"]
                outputs: [url]
              - {name: announce, command: [echo, "{{ nodes.report.outputs.url }}"], dependsOn: [train]}
              - {name: confirm, approval: {}}
              - {name: later, sleep: 1s, dependsOn: [confirm]}
            """)[0]).get()
        #expect(compiled.nodes.map(\.name) == ["train", "report", "announce", "confirm", "later"])
        #expect(compiled.nodes.map(\.isExitNode) == [false, true, true, true, true])
        #expect(compiled["report"]?.path == "spec.onExit[0]")
        #expect(compiled["announce"]?.dependencies == ["report", "train"])
        #expect(compiled["report"]?.dataDependencies == ["train"])
    }

    @Test func anEmptyOnExitRunsNothing() throws {
        let compiled = try WorkflowCompiler.compile(try YAMLDocuments.load("defaults: {image: b}\nnodes: [{name: a}]\nonExit: []")[0]).get()
        #expect(compiled.nodes.map(\.name) == ["a"])
    }
}
