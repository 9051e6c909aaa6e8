import CapstanAPI
import CapstanEngine
import Testing

struct TemplatedValueTests {
    static let scope = ExpressionValues(
        inputs: ["rates": [0.1, 0.2], "name": "run"],
        nodeOutputs: ["prep": ["train": "s3://b/train", "meta": ["rows": 3]]],
        skippedNodes: ["gate"],
        item: 0.2, index: 1
    )

    @Test func rendersTemplatesAnywhereInTheTree() throws {
        let value: JSONValue = [
            "over": "{{ inputs.rates }}",
            "args": ["--lr", "{{ item }}", "--data", "{{ nodes.prep.outputs.train }}"],
            "nested": ["rows": "{{ nodes.prep.outputs.meta.rows }}", "label": "{{ inputs.name }}-{{ index }}"],
            "fixed": [1, "two", nil],
        ]
        let templated = try TemplatedValue.parse(value)
        #expect(templated.isConstant == false)
        #expect(try templated.render(Self.scope) == [
            "over": [0.1, 0.2],
            "args": ["--lr", 0.2, "--data", "s3://b/train"],
            "nested": ["rows": 3, "label": "run-1"],
            "fixed": [1, "two", nil],
        ])
        #expect(templated.references.map(\.text) == [
            "item", "nodes.prep.outputs.train", "inputs.name", "index", "nodes.prep.outputs.meta.rows", "inputs.rates",
        ])
        #expect(templated.referencedNodes == ["prep"])
    }

    @Test(arguments: [
        JSONValue.null, 3, "plain", "only {single} braces", [1, [2, ["x": "y"]]], ["k": ["deep": "no templates"]],
    ])
    func constantValuesRenderUnchanged(_ value: JSONValue) throws {
        let templated = try TemplatedValue.parse(value)
        #expect(templated.isConstant)
        #expect(templated.references.isEmpty)
        #expect(try templated.render(ExpressionValues()) == value)
    }

    @Test func problemsListsEveryBadStringWithItsPath() {
        let value: JSONValue = [
            "a": "{{ inputs.x",
            "b": ["ok {{ item }}", "{{ }}"],
            "weird key": ["c": "{{ nodes..y }}"],
        ]
        let problems = TemplatedValue.problems(in: value)
        #expect(problems.map(\.path) == [".a", ".b[1]", "[\"weird key\"].c"])
        #expect(problems.map(\.column) == [1, 1, 10])
        let first = #expect(throws: ExpressionError.self) { try TemplatedValue.parse(value) }
        #expect(first == problems.first)
    }

    @Test func renderErrorCarriesThePath() throws {
        let templated = try TemplatedValue.parse(["env": [["name": "X", "value": "{{ nodes.gate.outputs.v }}"]]])
        let error = #expect(throws: ExpressionError.self) { try templated.render(Self.scope) }
        #expect(error?.path == ".env[0].value")
        #expect(error?.kind == .skippedNode)
        #expect(error?.skippedNode == "gate")
    }
}
