import CapstanAPI
import CapstanEngine
import Testing

struct ReferenceResolutionTests {
    static let scope = ExpressionValues(
        inputs: [
            "dataset": "s3://datasets/raw.parquet",
            "rates": [0.1, 0.01, 0.001],
            "cfg": ["layers": [64, 32], "name": "net", "a.b": true, "empty": [:]],
        ],
        nodeOutputs: ["prep": ["train": "s3://x/train", "stats": ["rows": 10]], "train": ["acc": [0.9, nil, 0.7]]],
        skippedNodes: ["gate"],
        nodeInputs: ["batch": 32],
        item: ["lr": 0.1],
        index: 4,
        workflowName: "sweep", workflowNamespace: "ml", workflowUID: "1234-abcd"
    )

    struct Case: Sendable, CustomTestStringConvertible {
        var text: String
        var expected: JSONValue
        var testDescription: String { text }
    }

    static let found: [Case] = [
        Case(text: "inputs.dataset", expected: "s3://datasets/raw.parquet"),
        Case(text: "inputs.rates", expected: [0.1, 0.01, 0.001]),
        Case(text: "inputs.rates[2]", expected: 0.001),
        Case(text: "inputs.cfg.layers[1]", expected: 32),
        Case(text: "inputs.cfg[\"a.b\"]", expected: true),
        Case(text: "nodes.prep.outputs.stats.rows", expected: 10),
        Case(text: "nodes.train.outputs.acc", expected: [0.9, nil, 0.7]),
        Case(text: "nodes.train.outputs.acc[1]", expected: nil),
        Case(text: "node.inputs.batch", expected: 32),
        Case(text: "item.lr", expected: 0.1),
        Case(text: "index", expected: 4),
        Case(text: "workflow.name", expected: "sweep"),
        Case(text: "workflow.namespace", expected: "ml"),
        Case(text: "workflow.uid", expected: "1234-abcd"),
    ]

    @Test(arguments: found)
    func resolves(_ c: Case) throws {
        #expect(try Reference.parse(c.text).resolve(in: Self.scope) == c.expected)
    }

    struct Missing: Sendable, CustomTestStringConvertible {
        var text: String
        var kind: ExpressionError.Kind
        var message: String
        var testDescription: String { text }
    }

    static let missing: [Missing] = [
        Missing(text: "inputs.nope", kind: .missingValue, message: "inputs.nope: the workflow has no input \"nope\""),
        Missing(text: "inputs.rates[5]", kind: .missingValue, message: "inputs.rates[5]: index 5 out of range for list of 3"),
        Missing(text: "inputs.cfg.empty[\"k\"]", kind: .missingValue,
                message: "inputs.cfg.empty.k: no field \"k\" in an empty object"),
        Missing(text: "inputs.cfg.x", kind: .missingValue,
                message: "inputs.cfg.x: no field \"x\" in object (it has: a.b, empty, layers, name)"),
        Missing(text: "inputs.dataset.x", kind: .typeMismatch, message: "inputs.dataset.x: cannot read field \"x\" of a string"),
        Missing(text: "inputs.cfg[0]", kind: .typeMismatch,
                message: "inputs.cfg[0]: cannot use index [0] on an object; read a field with .name or [\"name\"]"),
        Missing(text: "inputs.rates[0][1]", kind: .typeMismatch, message: "inputs.rates[0][1]: cannot use index [1] on a number"),
        Missing(text: "nodes.train.outputs.acc[1].v", kind: .typeMismatch,
                message: "nodes.train.outputs.acc[1].v: cannot read field \"v\" of null"),
        Missing(text: "nodes.later.outputs.x", kind: .missingValue,
                message: "nodes.later.outputs.x: node \"later\" has no outputs (it has not succeeded)"),
        Missing(text: "nodes.prep.outputs.test", kind: .missingValue,
                message: "nodes.prep.outputs.test: node \"prep\" has no output \"test\""),
        Missing(text: "node.inputs.other", kind: .missingValue, message: "node.inputs.other: the node has no input \"other\""),
    ]

    @Test(arguments: missing)
    func reportsMissingValue(_ c: Missing) throws {
        let reference = try Reference.parse(c.text)
        let error = #expect(throws: ExpressionError.self) { try reference.resolve(in: Self.scope) }
        #expect(error?.kind == c.kind)
        #expect(error?.message == c.message)
        #expect(error?.column == 1)
    }

    @Test func skippedNodeIsItsOwnCase() throws {
        let reference = try Reference.parse("nodes.gate.outputs.ok")
        let error = #expect(throws: ExpressionError.self) { try reference.resolve(in: Self.scope) }
        #expect(error?.kind == .skippedNode)
        #expect(error?.skippedNode == "gate")
        #expect(error?.message == "nodes.gate.outputs.ok: node \"gate\" was skipped, so it has no outputs")
    }

    @Test func itemAndIndexOutsideAMap() throws {
        let outside = ExpressionValues(inputs: ["x": 1])
        let item = #expect(throws: ExpressionError.self) { try Reference.parse("item").resolve(in: outside) }
        #expect(item?.message == "item: item is only defined inside a map node")
        let index = #expect(throws: ExpressionError.self) { try Reference.parse("index").resolve(in: outside) }
        #expect(index?.message == "index: index is only defined inside a map node")
        let nodeInput = #expect(throws: ExpressionError.self) { try Reference.parse("node.inputs.x").resolve(in: outside) }
        #expect(nodeInput?.kind == .missingValue)
    }
}
