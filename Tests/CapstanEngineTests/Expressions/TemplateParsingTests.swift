import CapstanAPI
import CapstanEngine
import Testing

struct TemplateParsingTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var source: String
        var parts: [Template.Part]
        var testDescription: String { source }
    }

    static func ref(_ root: Reference.Root, _ accessors: [Reference.Accessor] = [], column: Int) -> Template.Part {
        .reference(Reference(root: root, accessors: accessors, column: column))
    }

    static let valid: [Case] = [
        Case(source: "", parts: []),
        Case(source: "plain text", parts: [.text("plain text")]),
        Case(source: "{{ inputs.dataset }}", parts: [ref(.input("dataset"), column: 4)]),
        Case(source: "{{inputs.dataset}}", parts: [ref(.input("dataset"), column: 3)]),
        Case(source: "{{\n  item.path\t}}", parts: [ref(.item, [.field("path")], column: 6)]),
        Case(source: "--lr={{ item }}", parts: [.text("--lr="), ref(.item, column: 9)]),
        Case(source: "{{ index }}-{{ workflow.uid }}.log",
             parts: [ref(.index, column: 4), .text("-"), ref(.workflow(.uid), column: 16), .text(".log")]),
        Case(source: "a { b } c }}", parts: [.text("a { b } c }}")]),
        Case(source: "{{ nodes.prep.outputs.train[0] }}",
             parts: [ref(.nodeOutput(node: "prep", output: "train"), [.index(0)], column: 4)]),
        Case(source: "naïve {{ inputs.x }}", parts: [.text("naïve "), ref(.input("x"), column: 10)]),
    ]

    @Test(arguments: valid)
    func parsesTemplate(_ c: Case) throws {
        let template = try Template.parse(c.source)
        #expect(template.parts == c.parts)
        #expect(template.source == c.source)
    }

    @Test func wholeValueAndLiteral() throws {
        #expect(try Template.parse("{{ inputs.x }}").isWholeValue)
        #expect(try Template.parse(" {{ inputs.x }}").isWholeValue == false)
        #expect(try Template.parse("{{ inputs.x }}{{ inputs.y }}").isWholeValue == false)
        #expect(try Template.parse("no braces").isLiteral)
        #expect(try Template.parse("{{ item }}").isLiteral == false)
    }

    @Test func referencesInOrderAndNodes() throws {
        let template = try Template.parse("{{ nodes.b.outputs.x }} {{ inputs.y }} {{ nodes.a.outputs.z[1] }} {{ nodes.b.outputs.w }}")
        #expect(template.references.map(\.text) == [
            "nodes.b.outputs.x", "inputs.y", "nodes.a.outputs.z[1]", "nodes.b.outputs.w",
        ])
        #expect(template.referencedNodes == ["a", "b"])
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        var source: String
        var column: Int
        var message: String
        var testDescription: String { source }
    }

    static let invalid: [Bad] = [
        Bad(source: "--data {{ inputs.x", column: 8, message: "unclosed '{{'; close it with '}}'"),
        Bad(source: "{{ inputs.x }", column: 1, message: "unclosed '{{'; close it with '}}'"),
        Bad(source: "{{ a {{ inputs.b }}", column: 1, message: "unclosed '{{'; close it with '}}'"),
        Bad(source: "x {{ }} y", column: 3, message: "empty '{{ }}'; put a reference inside, such as {{ inputs.NAME }}"),
        Bad(source: "{{}}", column: 1, message: "empty '{{ }}'; put a reference inside, such as {{ inputs.NAME }}"),
        Bad(source: "ok {{ nodes..x }}", column: 13, message: "expected a name after '.', got '.'"),
        Bad(source: "{{ dataset }}", column: 4,
            message: "unknown name 'dataset'; a reference starts with inputs, nodes, node, item, index or workflow"),
        Bad(source: "{{ inputs.a }} and {{ inputs }}", column: 30, message: "expected an input name after 'inputs', as in inputs.NAME"),
        Bad(source: "{{ nodes.prep.train }}", column: 15,
            message: "expected '.outputs' after 'nodes.prep', got 'train'; a node's values are read as nodes.NODE.outputs.NAME"),
        Bad(source: "{{ inputs.n + 1 }}", column: 13,
            message: "unexpected '+' after inputs.n; a template holds one reference, such as {{ inputs.NAME }}; "
                + "operators belong in `when` conditions"),
        Bad(source: "{{ item[x] }}", column: 9,
            message: "expected a list index such as [0] or a quoted field name such as [\"key\"], got 'x'"),
        Bad(source: "{{ workflow.id }}", column: 13, message: "unknown workflow field \"id\"; expected name, namespace, uid, phase or failures"),
    ]

    @Test(arguments: invalid)
    func rejectsTemplate(_ c: Bad) {
        let error = #expect(throws: ExpressionError.self) { try Template.parse(c.source) }
        #expect(error?.kind == .syntax)
        #expect(error?.column == c.column)
        #expect(error?.message == c.message)
        #expect(error?.description == "column \(c.column): \(c.message)")
    }
}

/// Columns count what a person sees as characters, whatever their encoding.
struct ExpressionColumnTests {
    @Test(arguments: [
        ("naïve {{ nope }}", 10),
        ("e\u{301} {{ nope }}", 6),  // "é" written as e + combining accent: one character
        ("🧪🧪 {{ nope }}", 7),
        ("a\r\n{{ nope }}", 6),  // CR LF is one character
    ])
    func templateColumns(source: String, column: Int) {
        let error = #expect(throws: ExpressionError.self) { try Template.parse(source) }
        #expect(error?.column == column)
    }

    @Test(arguments: [
        ("'ü' == 1 &&", 12),
        ("inputs.a &&\r\n", 13),
        ("'🧪' == 1 && foo", 13),
    ])
    func conditionColumns(source: String, column: Int) {
        let error = #expect(throws: ExpressionError.self) { try Condition.parse(source) }
        #expect(error?.column == column)
    }

    @Test func textAroundReferencesIsKeptExactly() throws {
        let template = try Template.parse("e\u{301}🧪{{ index }}\r\n}}")
        #expect(template.parts.first == .text("e\u{301}🧪"))
        #expect(template.parts.last == .text("\r\n}}"))
        #expect(try template.render(ExpressionValues(index: 3)) == "e\u{301}🧪3\r\n}}")
    }
}
