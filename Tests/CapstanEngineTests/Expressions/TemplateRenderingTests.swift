import CapstanAPI
import CapstanEngine
import Testing

struct TemplateRenderingTests {
    static let scope = ExpressionValues(
        inputs: [
            "dataset": "s3://datasets/raw.parquet",
            "rates": [0.1, 0.01, 0.001],
            "cfg": ["layers": [64, 32], "name": "net"],
            "epochs": 10, "flag": true, "nothing": nil, "ratio": 0.5,
        ],
        nodeOutputs: ["pick": ["best": ["accuracy": 0.93, "lr": 0.01]], "train": ["acc": [0.9, nil]]],
        skippedNodes: ["gate"],
        item: 0.01,
        index: 2,
        workflowName: "sweep", workflowNamespace: "ml", workflowUID: "u-1"
    )

    struct Case: Sendable, CustomTestStringConvertible {
        var source: String
        var expected: JSONValue
        var testDescription: String { source }
    }

    static let cases: [Case] = [
        // Whole-value substitution keeps the JSON type.
        Case(source: "{{ inputs.rates }}", expected: [0.1, 0.01, 0.001]),
        Case(source: "{{ inputs.epochs }}", expected: 10),
        Case(source: "{{ inputs.flag }}", expected: true),
        Case(source: "{{ inputs.nothing }}", expected: nil),
        Case(source: "{{ inputs.cfg }}", expected: ["layers": [64, 32], "name": "net"]),
        Case(source: "{{ index }}", expected: 2),
        Case(source: "{{ nodes.train.outputs.acc }}", expected: [0.9, nil]),
        Case(source: "  {{ item }}  ", expected: "  0.01  "),
        // Inside text: strings as is, everything else as compact JSON.
        Case(source: "--data={{ inputs.dataset }}", expected: "--data=s3://datasets/raw.parquet"),
        Case(source: "lr {{ item }} #{{ index }}", expected: "lr 0.01 #2"),
        Case(source: "e={{ inputs.epochs }}", expected: "e=10"),
        Case(source: "r={{ inputs.ratio }}", expected: "r=0.5"),
        Case(source: "rates={{ inputs.rates }}", expected: "rates=[0.1,0.01,0.001]"),
        Case(source: "cfg={{ inputs.cfg }}", expected: "cfg={\"layers\":[64,32],\"name\":\"net\"}"),
        Case(source: "{{ inputs.flag }}/{{ inputs.nothing }}", expected: "true/null"),
        Case(source: "best={{ nodes.pick.outputs.best.accuracy }}", expected: "best=0.93"),
        Case(source: "{{ workflow.namespace }}/{{ workflow.name }}/{{ workflow.uid }}", expected: "ml/sweep/u-1"),
        Case(source: "no templates", expected: "no templates"),
        Case(source: "", expected: ""),
    ]

    @Test(arguments: cases)
    func renders(_ c: Case) throws {
        #expect(try Template.parse(c.source).render(Self.scope) == c.expected)
    }

    @Test func renderTextAlwaysGivesAString() throws {
        #expect(try Template.parse("{{ inputs.rates }}").renderText(Self.scope) == "[0.1,0.01,0.001]")
        #expect(try Template.parse("{{ inputs.dataset }}").renderText(Self.scope) == "s3://datasets/raw.parquet")
        #expect(try Template.parse("{{ index }}").renderText(Self.scope) == "2")
    }

    @Test func missingValueLocatedByReference() throws {
        let template = try Template.parse("--acc {{ nodes.train.outputs.acc[5] }}")
        let error = #expect(throws: ExpressionError.self) { try template.render(Self.scope) }
        #expect(error?.kind == .missingValue)
        #expect(error?.column == 10)
        #expect(error?.description == "column 10: nodes.train.outputs.acc[5]: index 5 out of range for list of 2")
    }

    @Test func skippedNodeOutputIsDistinct() throws {
        let template = try Template.parse("{{ inputs.dataset }} {{ nodes.gate.outputs.ok }}")
        let error = #expect(throws: ExpressionError.self) { try template.render(Self.scope) }
        #expect(error?.kind == .skippedNode)
        #expect(error?.skippedNode == "gate")
        #expect(error?.column == 25)
    }

    /// A scope of the engine's own making: only the protocol is needed.
    struct CountingScope: ExpressionScope {
        func lookup(_ root: Reference.Root) -> ScopeLookup {
            switch root {
            case .item: return .value(["n": 7])
            default: return .missing("not here")
            }
        }
    }

    @Test func customScope() throws {
        #expect(try Template.parse("n={{ item.n }}").render(CountingScope()) == "n=7")
        let error = #expect(throws: ExpressionError.self) { try Template.parse("{{ inputs.a }}").render(CountingScope()) }
        #expect(error?.message == "inputs.a: not here")
    }
}
