import CapstanAPI

/// A node's `when` condition: a CEL subset over the same names as templates, without braces.
///
/// Supported: literals (numbers, `'…'` / `"…"` strings, `true`, `false`, `null`, lists),
/// references with `.field` / `[N]` / `["key"]`, `== != < <= > >=`, `in`, `&& || !`, `+ -`,
/// unary `-`, parentheses, `size(x)` and `x.size()`. Precedence as in CEL: `||` lowest, then
/// `&&`, then comparisons and `in`, then `+ -`, then unary operators, then accessors.
public struct Condition: Sendable, Hashable {
    /// Deepest nesting accepted (parentheses, lists, unary operators, operator chains), so a
    /// hostile condition cannot exhaust the stack.
    public static let maximumDepth = 50

    public let source: String
    /// Every reference, in order of appearance.
    public let references: [Reference]
    let expression: ConditionExpression

    /// Parses `source`; an error's column counts characters of `source` from 1.
    public static func parse(_ source: String) throws(ExpressionError) -> Condition {
        let text = SourceText(source)
        if let open = text.scalars.firstIndex(where: { !$0.isSpace }), text.hasPair("{", "{", at: open) {
            throw ExpressionError(
                .syntax, column: text.column(at: open),
                "a condition is written without '{{ }}': nodes.NODE.outputs.NAME > 1, not {{ nodes.NODE.outputs.NAME }} > 1")
        }
        let tokens = try ExpressionLexer.tokenize(text, in: 0..<text.count, maximumNesting: maximumDepth)
        var parser = ConditionParser(tokens: tokens, maximumDepth: maximumDepth)
        let expression = try parser.parseCondition()
        var references: [Reference] = []
        expression.collectReferences(into: &references)
        return Condition(source: source, references: references, expression: expression)
    }

    /// Names of the nodes whose outputs the condition reads.
    public var referencedNodes: Set<String> { Set(references.compactMap(\.node)) }

    /// Evaluates the condition. `&&` and `||` short-circuit, and as in CEL an error on one side
    /// is absorbed when the other side decides the result (`false && error` is false).
    /// A result other than a boolean is an error.
    public func evaluate(_ scope: some ExpressionScope) throws(ExpressionError) -> Bool {
        let value = try value(in: scope)
        guard case .bool(let result) = value else {
            throw ExpressionError(
                .typeMismatch, column: 1,
                "the condition must be true or false, but it is \(value.typePhrase) (\(value.jsonString.prefix(80)))")
        }
        return result
    }

    /// The condition's value before the boolean check, for tests and diagnostics.
    public func value(in scope: some ExpressionScope) throws(ExpressionError) -> JSONValue {
        try ConditionEvaluator(scope: scope).evaluate(expression)
    }
}
