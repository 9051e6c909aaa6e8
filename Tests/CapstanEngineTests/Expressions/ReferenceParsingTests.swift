import CapstanAPI
import CapstanEngine
import Testing

struct ReferenceParsingTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var text: String
        var root: Reference.Root
        var accessors: [Reference.Accessor] = []
        var canonical: String? = nil
        var testDescription: String { text }
    }

    static let valid: [Case] = [
        Case(text: "inputs.dataset", root: .input("dataset")),
        Case(text: "inputs[\"my input\"]", root: .input("my input"), canonical: "inputs[\"my input\"]"),
        Case(text: "nodes.prep.outputs.train", root: .nodeOutput(node: "prep", output: "train")),
        Case(text: "nodes.train-2.outputs.acc[0]", root: .nodeOutput(node: "train-2", output: "acc"), accessors: [.index(0)]),
        Case(text: "nodes.1st-step.outputs.x", root: .nodeOutput(node: "1st-step", output: "x")),
        Case(text: "nodes[\"prep\"].outputs[\"train\"]", root: .nodeOutput(node: "prep", output: "train"),
             canonical: "nodes.prep.outputs.train"),
        Case(text: "node.inputs.cfg.layers[2].size", root: .nodeInput("cfg"), accessors: [.field("layers"), .index(2), .field("size")]),
        Case(text: "item", root: .item),
        Case(text: "item.path", root: .item, accessors: [.field("path")]),
        Case(text: "item[0][1]", root: .item, accessors: [.index(0), .index(1)]),
        Case(text: "index", root: .index),
        Case(text: "workflow.name", root: .workflow(.name)),
        Case(text: "workflow.namespace", root: .workflow(.namespace)),
        Case(text: "workflow.uid", root: .workflow(.uid)),
        Case(text: "workflow.phase", root: .workflow(.phase)),
        Case(text: "workflow.failures[0].node", root: .workflow(.failures), accessors: [.index(0), .field("node")]),
        Case(text: "inputs.cfg[\"a.b\"][3]", root: .input("cfg"), accessors: [.field("a.b"), .index(3)]),
        Case(text: "inputs.cfg['single']", root: .input("cfg"), accessors: [.field("single")], canonical: "inputs.cfg.single"),
        Case(text: "  inputs . x [ 0 ] ", root: .input("x"), accessors: [.index(0)], canonical: "inputs.x[0]"),
        Case(text: "inputs.big[12345678]", root: .input("big"), accessors: [.index(12_345_678)]),
    ]

    @Test(arguments: valid)
    func parsesReference(_ c: Case) throws {
        let reference = try Reference.parse(c.text)
        #expect(reference.root == c.root)
        #expect(reference.accessors == c.accessors)
        #expect(reference.text == (c.canonical ?? c.text))
        // The canonical text parses back to the same reference.
        let reparsed = try Reference.parse(reference.text)
        #expect(reparsed.root == reference.root && reparsed.accessors == reference.accessors)
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        var text: String
        var column: Int
        var message: String
        var testDescription: String { text }
    }

    static let invalid: [Bad] = [
        Bad(text: "nodes..x", column: 7, message: "expected a name after '.', got '.'"),
        Bad(text: "foo.bar", column: 1,
            message: "unknown name 'foo'; a reference starts with inputs, nodes, node, item, index or workflow"),
        Bad(text: "inputs", column: 7, message: "expected an input name after 'inputs', as in inputs.NAME"),
        Bad(text: "nodes.a.x", column: 9,
            message: "expected '.outputs' after 'nodes.a', got 'x'; a node's values are read as nodes.NODE.outputs.NAME"),
        Bad(text: "nodes.a", column: 8,
            message: "expected '.outputs' after 'nodes.a', got the end; a node's values are read as nodes.NODE.outputs.NAME"),
        Bad(text: "nodes.a.outputs", column: 16,
            message: "expected an output name after 'nodes.a.outputs', as in nodes.a.outputs.NAME"),
        Bad(text: "node.x", column: 6,
            message: "expected '.inputs' after 'node', got 'x'; the node's own inputs are read as node.inputs.NAME"),
        Bad(text: "workflow.id", column: 10, message: "unknown workflow field \"id\"; expected name, namespace, uid, phase or failures"),
        Bad(text: "inputs.x[1.5]", column: 10,
            message: "expected a list index such as [0] or a quoted field name such as [\"key\"], got '1.5'"),
        Bad(text: "inputs.x[-1]", column: 10,
            message: "expected a list index such as [0] or a quoted field name such as [\"key\"], got '-'"),
        Bad(text: "inputs.x[0", column: 11, message: "expected ']' after '0', got the end"),
        Bad(text: "inputs.x.", column: 10, message: "expected a field name after '.', got the end"),
        Bad(text: "inputs.x + 1", column: 10,
            message: "unexpected '+' after inputs.x; a template holds one reference, such as {{ inputs.NAME }}; "
                + "operators belong in `when` conditions"),
        Bad(text: "'x'", column: 1, message: "expected a reference such as inputs.NAME, got 'x'"),
        Bad(text: "inputs.\"x", column: 8, message: "unterminated string; add the closing \""),
        Bad(text: "inputs.x#", column: 9, message: "unexpected character '#'"),
        Bad(text: "", column: 1, message: "expected a reference such as inputs.NAME"),
    ]

    @Test(arguments: invalid)
    func rejectsReference(_ c: Bad) {
        #expect {
            _ = try Reference.parse(c.text)
        } throws: { error in
            guard let error = error as? ExpressionError else { return false }
            return error.kind == .syntax && error.column == c.column && error.message == c.message
        }
    }

    @Test func columnsCountCharactersNotBytes() throws {
        // "é" is two UTF-8 bytes; the column counts it once.
        let error = #expect(throws: ExpressionError.self) { try Reference.parse("inputs[\"é\"].é") }
        #expect(error?.column == 13)
    }

    @Test func nodeNamesTheDependency() throws {
        #expect(try Reference.parse("nodes.prep.outputs.x[0]").node == "prep")
        #expect(try Reference.parse("inputs.prep").node == nil)
        #expect(try Reference.parse("node.inputs.x").node == nil)
    }

    @Test func itemAndIndexNeedAMap() throws {
        #expect(try Reference.parse("item.path").requiresMapItem)
        #expect(try Reference.parse("index").requiresMapItem)
        #expect(try Reference.parse("inputs.item").requiresMapItem == false)
        #expect(try Reference.parse("workflow.uid").requiresMapItem == false)
    }
}
