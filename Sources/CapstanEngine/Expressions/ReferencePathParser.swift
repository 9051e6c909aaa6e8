/// Reads a reference (`inputs.NAME`, `nodes.NODE.outputs.NAME`, …, then `.field` / `[N]` /
/// `["key"]` accessors) from tokens. Templates need the whole token list to be one reference;
/// conditions stop at the first accessor that is not static (`x[inputs.i]`, `x.size()`).
enum ReferencePathParser {
    static let rootNames = ["inputs", "nodes", "node", "item", "index", "workflow"]

    /// A template's `{{ }}` content: exactly one reference and nothing after it.
    static func parseWhole(_ tokens: [ExpressionToken], at position: inout Int) throws(ExpressionError) -> Reference {
        let first = tokens[position]
        guard let name = first.name else {
            if case .end = first.kind {
                throw ExpressionError(.syntax, column: first.column, "expected a reference such as inputs.NAME")
            }
            throw ExpressionError(
                .syntax, column: first.column,
                "expected a reference such as inputs.NAME, got \(first.quotedText)")
        }
        guard rootNames.contains(name) else { throw unknownName(first) }
        let reference = try parse(tokens, at: &position, stopAtDynamicAccessor: false)
        let next = tokens[position]
        if case .end = next.kind { return reference }
        throw ExpressionError(
            .syntax, column: next.column,
            "unexpected \(next.quotedText) after \(reference.text); a template holds one reference, "
                + "such as {{ inputs.NAME }}; operators belong in `when` conditions")
    }

    static func unknownName(_ token: ExpressionToken) -> ExpressionError {
        ExpressionError(
            .syntax, column: token.column,
            "unknown name '\(token.text)'; a reference starts with inputs, nodes, node, item, index or workflow")
    }

    /// Parses from a root name token (one of `rootNames`) at `position`.
    static func parse(
        _ tokens: [ExpressionToken], at position: inout Int, stopAtDynamicAccessor: Bool
    ) throws(ExpressionError) -> Reference {
        var reader = Reader(tokens: tokens, position: position)
        let rootToken = reader.next()
        let root = try reader.root(named: rootToken.text)
        let accessors = try reader.accessors(stopAtDynamic: stopAtDynamicAccessor)
        position = reader.position
        return Reference(root: root, accessors: accessors, column: rootToken.column)
    }

    private struct Reader {
        let tokens: [ExpressionToken]
        var position: Int

        var current: ExpressionToken { tokens[position] }

        func peek(_ offset: Int) -> ExpressionToken {
            tokens[min(position + offset, tokens.count - 1)]
        }

        mutating func next() -> ExpressionToken {
            let token = tokens[position]
            if position < tokens.count - 1 { position += 1 }
            return token
        }

        mutating func root(named rootName: String) throws(ExpressionError) -> Reference.Root {
            switch rootName {
            case "inputs":
                return .input(try name(after: "inputs", what: "an input name", example: "inputs.NAME"))
            case "nodes":
                let node = try name(after: "nodes", what: "a node name", example: "nodes.NODE.outputs.NAME")
                try keyword("outputs", after: "nodes.\(node)", hint: "a node's values are read as nodes.NODE.outputs.NAME")
                let output = try name(
                    after: "nodes.\(node).outputs", what: "an output name", example: "nodes.\(node).outputs.NAME")
                return .nodeOutput(node: node, output: output)
            case "node":
                try keyword("inputs", after: "node", hint: "the node's own inputs are read as node.inputs.NAME")
                return .nodeInput(try name(after: "node.inputs", what: "an input name", example: "node.inputs.NAME"))
            case "item":
                return .item
            case "index":
                return .index
            default:
                let fieldColumn = peek(1).column
                let field = try name(after: "workflow", what: "a field", example: "workflow.name, workflow.namespace or workflow.uid")
                guard let known = Reference.WorkflowField(rawValue: field) else {
                    throw ExpressionError(
                        .syntax, column: fieldColumn,
                        "unknown workflow field \(quoted(field)); expected name, namespace, uid, phase or failures")
                }
                return .workflow(known)
            }
        }

        /// `.name` or `["name"]`.
        mutating func name(after context: String, what: String, example: String) throws(ExpressionError) -> String {
            if current.isSymbol("."), let name = peek(1).name {
                position += 2
                return name
            }
            if current.isSymbol("["), case .string(let name) = peek(1).kind, peek(2).isSymbol("]") {
                position += 3
                return name
            }
            if current.isSymbol(".") {
                let after = peek(1)
                throw ExpressionError(.syntax, column: after.column, "expected a name after '.', got \(after.quotedText)")
            }
            throw ExpressionError(
                .syntax, column: current.column, "expected \(what) after '\(context)', as in \(example)")
        }

        mutating func keyword(_ word: String, after context: String, hint: String) throws(ExpressionError) {
            if current.isSymbol("."), peek(1).name == word {
                position += 2
                return
            }
            let got = current.isSymbol(".") ? peek(1) : current
            if current.isSymbol("."), got.name == nil {
                throw ExpressionError(.syntax, column: got.column, "expected a name after '.', got \(got.quotedText)")
            }
            throw ExpressionError(
                .syntax, column: got.column, "expected '.\(word)' after '\(context)', got \(got.quotedText); \(hint)")
        }

        mutating func accessors(stopAtDynamic: Bool) throws(ExpressionError) -> [Reference.Accessor] {
            var accessors: [Reference.Accessor] = []
            while true {
                if current.isSymbol(".") {
                    let field = peek(1)
                    guard let name = field.name else {
                        throw ExpressionError(
                            .syntax, column: field.column, "expected a field name after '.', got \(field.quotedText)")
                    }
                    // `x.size()` is a method call, left to the condition parser.
                    if stopAtDynamic && peek(2).isSymbol("(") { return accessors }
                    accessors.append(.field(name))
                    position += 2
                } else if current.isSymbol("[") {
                    let inner = peek(1)
                    let closed = peek(2).isSymbol("]")
                    if closed, case .string(let key) = inner.kind {
                        accessors.append(.field(key))
                        position += 3
                    } else if closed, case .number(let n) = inner.kind, let index = staticIndex(n) {
                        accessors.append(.index(index))
                        position += 3
                    } else if stopAtDynamic {
                        return accessors
                    } else if inner.isLiteral, !closed {
                        let after = peek(2)
                        throw ExpressionError(
                            .syntax, column: after.column, "expected ']' after \(inner.quotedText), got \(after.quotedText)")
                    } else {
                        throw ExpressionError(
                            .syntax, column: inner.column,
                            "expected a list index such as [0] or a quoted field name such as [\"key\"], "
                                + "got \(inner.quotedText)")
                    }
                } else {
                    return accessors
                }
            }
        }

        func staticIndex(_ n: Double) -> Int? {
            guard n >= 0, n.rounded() == n, n < 9.0e15 else { return nil }
            return Int(n)
        }
    }
}
