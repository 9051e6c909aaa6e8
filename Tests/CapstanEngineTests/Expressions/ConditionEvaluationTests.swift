import CapstanAPI
import CapstanEngine
import Testing

struct ConditionEvaluationTests {
    static let scope = ExpressionValues(
        inputs: [
            "rates": [0.1, 0.01, 0.001],
            "cfg": ["lr": 0.1, "name": "net"],
            "flag": true, "epochs": 10, "none": nil, "word": "héllo",
        ],
        nodeOutputs: ["pick": ["best": ["accuracy": 0.93]], "train": ["acc": [0.9, nil, 0.7]]],
        skippedNodes: ["gate"],
        item: 0.01, index: 1,
        workflowName: "sweep", workflowNamespace: "ml", workflowUID: "u-1"
    )

    struct Case: Sendable, CustomTestStringConvertible {
        var source: String
        var expected: Bool
        init(_ source: String, _ expected: Bool) {
            self.source = source
            self.expected = expected
        }
        var testDescription: String { source }
    }

    static let cases: [Case] = [
        // Literals and comparisons.
        Case("true", true), Case("false", false),
        Case("1 == 1.0", true), Case("1 != 1", false), Case("1 < 2", true), Case("2.5 >= 2", true),
        Case("2 <= 1", false), Case("3 > 3", false), Case("0x1F == 31", true), Case("1e3 == 1000", true),
        Case("3u == 3", true),
        Case("'a' < 'b'", true), Case("'abc' < 'abd'", true), Case("'B' < 'a'", true), Case("'' < 'a'", true),
        Case("\"x\" == 'x'", true), Case("'it\\'s' == \"it's\"", true), Case("'\\u00e9' == 'é'", true),
        Case("false < true", true), Case("null == null", true), Case("null != false", true),
        Case("1 == '1'", false), Case("[1, 2] == [1, 2]", true), Case("[1, [2]] != [1, [3]]", true),
        Case("[] == []", true), Case("[1, 2,] == [1, 2]", true),
        // References and accessors.
        Case("nodes.pick.outputs.best.accuracy > 0.9", true),
        Case("inputs.flag", true), Case("inputs.flag == true", true), Case("inputs.none == null", true),
        Case("inputs.rates[0] == 0.1", true), Case("inputs.rates[index] == 0.01", true),
        Case("inputs.rates[index + 1] == 0.001", true), Case("inputs.cfg['lr'] == 0.1", true),
        Case("inputs.cfg[\"name\"] == 'net'", true), Case("[10, 20][1] == 20", true),
        Case("(inputs.cfg).lr == 0.1", true), Case("[inputs.cfg][0].name == 'net'", true),
        Case("inputs.cfg == inputs.cfg", true), Case("nodes.train.outputs.acc[1] == null", true),
        Case("item == 0.01", true), Case("workflow.name == 'sweep' && workflow.namespace == 'ml'", true),
        // Precedence: || < && < relations < + - < unary < accessors.
        Case("true || false && false", true), Case("(true || false) && false", false),
        Case("!false && true", true), Case("!(1 == 2)", true), Case("!inputs.flag || true", true),
        Case("1 + 2 == 3", true), Case("1 - 2 - 3 == -4", true), Case("-1 < 0", true), Case("- -1 == 1", true),
        Case("-inputs.epochs == -10", true), Case("2 in [1, 2] == true", true), Case("1 + 1 in [2]", true),
        Case("!!true", true), Case("!!!true", false),
        // in: list membership and object keys.
        Case("'a' in ['a', 'b']", true), Case("3 in [1, 2]", false), Case("[1] in [[1], [2]]", true),
        Case("'lr' in inputs.cfg", true), Case("'zz' in inputs.cfg", false), Case("item in inputs.rates", true),
        Case("null in [null]", true), Case("1.0 in [1]", true),
        // size.
        Case("size(inputs.word) == 5", true), Case("size(inputs.rates) == 3", true), Case("inputs.rates.size() == 3", true),
        Case("inputs.cfg.size() == 2", true), Case("size([]) == 0", true), Case("size('') == 0", true),
        Case("size(nodes.train.outputs.acc) > index", true), Case("'abc'.size() == 3", true),
        // + on strings and lists.
        Case("'a' + 'b' == 'ab'", true), Case("workflow.name + '-x' == 'sweep-x'", true), Case("[1] + [2] == [1, 2]", true),
        // Long flat chains.
        Case("1 == 2 || 2 == 3 || 3 == 3", true), Case("true && true && true && false", false),
    ]

    @Test(arguments: cases)
    func evaluates(_ c: Case) throws {
        #expect(try Condition.parse(c.source).evaluate(Self.scope) == c.expected)
    }

    @Test(arguments: [
        ("false && nodes.gone.outputs.x == 1", false),
        ("true || inputs.nope", true),
        ("inputs.nope == 1 && false", false),
        ("inputs.nope == 1 || true", true),
        ("'x' < 1 && false", false),
        ("1 || true", true),
    ])
    func shortCircuitAndErrorAbsorption(source: String, expected: Bool) throws {
        #expect(try Condition.parse(source).evaluate(Self.scope) == expected)
    }

    struct Failure: Sendable, CustomTestStringConvertible {
        var source: String
        var kind: ExpressionError.Kind
        var column: Int
        var message: String
        var testDescription: String { source }
    }

    static let failures: [Failure] = [
        Failure(source: "'a' < 1", kind: .typeMismatch, column: 5, message: "cannot compare string and number with '<'"),
        Failure(source: "inputs.epochs >= 'ten'", kind: .typeMismatch, column: 15, message: "cannot compare number and string with '>='"),
        Failure(source: "[1] < [2]", kind: .typeMismatch, column: 5, message: "cannot order list values with '<'"),
        Failure(source: "null < 1", kind: .typeMismatch, column: 6, message: "cannot compare null and number with '<'"),
        Failure(source: "1 in 'abc'", kind: .typeMismatch, column: 3, message: "'in' needs a list or an object on its right, got string"),
        Failure(source: "1 in inputs.cfg", kind: .typeMismatch, column: 3,
                message: "'in' on an object looks up a key, which is a string, not a number"),
        Failure(source: "size(1) == 1", kind: .typeMismatch, column: 1, message: "size() needs a string, list or object, got number"),
        Failure(source: "inputs.flag.size() == 1", kind: .typeMismatch, column: 13,
                message: "size() needs a string, list or object, got boolean"),
        Failure(source: "!1", kind: .typeMismatch, column: 1, message: "'!' needs true or false, got number"),
        Failure(source: "-'a' == 1", kind: .typeMismatch, column: 1, message: "'-' needs a number, got string"),
        Failure(source: "'a' + 1 == 1", kind: .typeMismatch, column: 5, message: "cannot add string and number with '+'"),
        Failure(source: "1 - 'a' == 1", kind: .typeMismatch, column: 3, message: "cannot subtract string from number with '-'"),
        Failure(source: "1 && true", kind: .typeMismatch, column: 1, message: "'&&' needs true or false on each side, got number"),
        Failure(source: "false || 'yes'", kind: .typeMismatch, column: 10, message: "'||' needs true or false on each side, got string"),
        Failure(source: "true && inputs.nope == 1", kind: .missingValue, column: 9,
                message: "inputs.nope: the workflow has no input \"nope\""),
        Failure(source: "inputs.rates[5] == 1", kind: .missingValue, column: 1,
                message: "inputs.rates[5]: index 5 out of range for list of 3"),
        Failure(source: "inputs.rates[index + 5] == 1", kind: .missingValue, column: 13,
                message: "index 6 out of range for list of 3"),
        Failure(source: "inputs.rates[workflow.name] == 1", kind: .typeMismatch, column: 14,
                message: "a list index must be a number, got string"),
        Failure(source: "inputs.rates[1.5] == 1", kind: .typeMismatch, column: 14,
                message: "a list index must be a whole number, got 1.5"),
        Failure(source: "inputs.rates[-1] == 1", kind: .missingValue, column: 14,
                message: "index -1 is negative; list indexes start at 0"),
        Failure(source: "inputs.cfg[index] == 1", kind: .typeMismatch, column: 12,
                message: "object keys are strings; cannot look one up with a number"),
        Failure(source: "inputs.epochs[0] == 1", kind: .typeMismatch, column: 1,
                message: "inputs.epochs[0]: cannot use index [0] on a number"),
        Failure(source: "1.5.x == 1", kind: .typeMismatch, column: 5, message: "cannot read field \"x\" of a number"),
        Failure(source: "(inputs.cfg).missing == 1", kind: .missingValue, column: 14,
                message: "no field \"missing\" in object (it has: lr, name)"),
        Failure(source: "1 + 1", kind: .typeMismatch, column: 1, message: "the condition must be true or false, but it is a number (2)"),
        Failure(source: "inputs.cfg", kind: .typeMismatch, column: 1,
                message: "the condition must be true or false, but it is an object ({\"lr\":0.1,\"name\":\"net\"})"),
        Failure(source: "nodes.gate.outputs.ok == true", kind: .skippedNode, column: 1,
                message: "nodes.gate.outputs.ok: node \"gate\" was skipped, so it has no outputs"),
        Failure(source: "1e308 + 1e308 > 0", kind: .typeMismatch, column: 7, message: "the result is too large for a number"),
    ]

    @Test(arguments: failures)
    func reportsEvaluationError(_ c: Failure) throws {
        let condition = try Condition.parse(c.source)
        let error = #expect(throws: ExpressionError.self) { try condition.evaluate(Self.scope) }
        #expect(error?.kind == c.kind)
        #expect(error?.column == c.column)
        #expect(error?.message == c.message)
    }

    @Test func skippedNodeNamedInError() throws {
        let condition = try Condition.parse("inputs.flag && nodes.gate.outputs.ok")
        let error = #expect(throws: ExpressionError.self) { try condition.evaluate(Self.scope) }
        #expect(error?.skippedNode == "gate")
    }

    @Test func valueBeforeTheBooleanCheck() throws {
        #expect(try Condition.parse("index + 1").value(in: Self.scope) == 2)
        #expect(try Condition.parse("[index, 'x', null]").value(in: Self.scope) == [1, "x", nil])
    }
}
