import CapstanAPI
import CapstanEngine
import Testing

struct ConditionParsingTests {
    @Test func collectsReferencesInOrder() throws {
        let condition = try Condition.parse(
            "nodes.a.outputs.x > 1 && inputs.y in nodes.b.outputs.list && item.size() > index || workflow.name == 'w'")
        #expect(condition.references.map(\.text) == [
            "nodes.a.outputs.x", "inputs.y", "nodes.b.outputs.list", "item", "index", "workflow.name",
        ])
        #expect(condition.referencedNodes == ["a", "b"])
        #expect(condition.source.hasPrefix("nodes.a"))
    }

    @Test func referencesKeepTheirColumns() throws {
        let condition = try Condition.parse("size(inputs.list) > 2 && nodes.x.outputs.n[inputs.i] == 1")
        #expect(condition.references.map(\.column) == [6, 26, 44])
        #expect(condition.references.map(\.text) == ["inputs.list", "nodes.x.outputs.n", "inputs.i"])
    }

    @Test func dashesInNamesAfterADot() throws {
        let condition = try Condition.parse("nodes.train-2.outputs.best-acc - 1 > 0")
        #expect(condition.references.first?.root == .nodeOutput(node: "train-2", output: "best-acc"))
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        var source: String
        var column: Int
        var message: String
        var testDescription: String { source }
    }

    static let invalid: [Bad] = [
        Bad(source: "inputs.a &&", column: 12, message: "expected an operand after '&&'"),
        Bad(source: "inputs.a && )", column: 13, message: "expected an operand after '&&', got ')'"),
        Bad(source: "inputs.a || || inputs.b", column: 13, message: "expected an operand after '||', got '||'"),
        Bad(source: "== 1", column: 1, message: "expected an operand, got '=='"),
        Bad(source: "1 in", column: 5, message: "expected an operand after 'in'"),
        Bad(source: "(inputs.a", column: 10, message: "expected ')' to close the '(' at column 1, got the end"),
        Bad(source: "inputs.a)", column: 9, message: "unexpected ')' without a matching '('"),
        Bad(source: "inputs.a = 1", column: 10, message: "unexpected '='; compare with '=='"),
        Bad(source: "inputs.a & inputs.b", column: 10, message: "unexpected '&'; use '&&' for \"and\""),
        Bad(source: "inputs.a and inputs.b", column: 10, message: "unexpected 'and'; write '&&'"),
        Bad(source: "not inputs.a", column: 1, message: "unknown name 'not'; write '!'"),
        Bad(source: "foo > 1", column: 1,
            message: "unknown name 'foo'; a reference starts with inputs, nodes, node, item, index or workflow"),
        Bad(source: "len(inputs.x) > 1", column: 1, message: "unknown function 'len()'; only size() is supported"),
        Bad(source: "inputs.x.contains('a')", column: 10, message: "unknown method 'contains()'; only size() is supported"),
        Bad(source: "size(inputs.x, 1) > 0", column: 14, message: "size() takes one argument"),
        Bad(source: "inputs.x.size(1) > 0", column: 15, message: "x.size() takes no arguments; expected ')' after '(' at column 14"),
        Bad(source: "size > 0", column: 1, message: "size is a function; call it as size(x) or x.size()"),
        Bad(source: "inputs.x == 'abc", column: 13, message: "unterminated string; add the closing '"),
        Bad(source: "inputs.x == 'a\\qb'", column: 15, message: "unknown escape '\\q' in string"),
        Bad(source: "inputs.x in [1, 2", column: 18, message: "expected ',' or ']' in the list that starts at column 13, got the end"),
        Bad(source: "inputs.x[0 == 1", column: 16, message: "expected ']' to close the '[' at column 9, got the end"),
        Bad(source: "", column: 1, message: "the condition is empty; write a boolean expression such as inputs.flag == true"),
        Bad(source: "1 2", column: 3, message: "unexpected '2'; expected an operator such as '&&', '||' or '==' or the end"),
        Bad(source: "nodes..x == 1", column: 7, message: "expected a name after '.', got '.'"),
        Bad(source: "nodes.a.x == 1", column: 9,
            message: "expected '.outputs' after 'nodes.a', got 'x'; a node's values are read as nodes.NODE.outputs.NAME"),
        Bad(source: "inputs.x ? 1 : 2", column: 10, message: "the conditional operator '? :' is not supported"),
        Bad(source: "inputs.x * 2 > 1", column: 10, message: "operator '*' is not supported"),
        Bad(source: "inputs.x == {}", column: 13, message: "unexpected character '{'"),
        Bad(source: "inputs.x. == 1", column: 11, message: "expected a field name after '.', got '=='"),
        Bad(source: "12abc == 1", column: 1, message: "invalid number '12abc'"),
        Bad(source: "0x == 1", column: 1, message: "a hexadecimal number needs digits after '0x'"),
        Bad(source: "1e999 > 0", column: 1, message: "number 1e999 is too large"),
        Bad(source: "  {{ inputs.flag }}", column: 3,
            message: "a condition is written without '{{ }}': nodes.NODE.outputs.NAME > 1, not {{ nodes.NODE.outputs.NAME }} > 1"),
    ]

    @Test(arguments: invalid)
    func rejectsCondition(_ c: Bad) {
        let error = #expect(throws: ExpressionError.self) { try Condition.parse(c.source) }
        #expect(error?.kind == .syntax)
        #expect(error?.column == c.column)
        #expect(error?.message == c.message)
    }
}
