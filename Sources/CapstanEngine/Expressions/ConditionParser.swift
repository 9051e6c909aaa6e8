import CapstanAPI

/// Recursive descent over tokens, one function per CEL precedence level. Every way into a
/// deeper level goes through `enter`, and every node through `make`, so nesting is bounded by
/// `maximumDepth` both while parsing and in the resulting tree.
struct ConditionParser {
    typealias Expression = ConditionExpression

    let tokens: [ExpressionToken]
    let maximumDepth: Int
    private var position = 0
    private var nesting = 0

    init(tokens: [ExpressionToken], maximumDepth: Int) {
        self.tokens = tokens
        self.maximumDepth = maximumDepth
    }

    mutating func parseCondition() throws(ExpressionError) -> Expression {
        if case .end = current.kind {
            throw ExpressionError(.syntax, column: 1, "the condition is empty; write a boolean expression such as inputs.flag == true")
        }
        let expression = try parseOr()
        if case .end = current.kind { return expression }
        if current.isSymbol(")") {
            throw ExpressionError(.syntax, column: current.column, "unexpected ')' without a matching '('")
        }
        if let word = current.name, let replacement = ["and": "&&", "or": "||"][word] {
            throw ExpressionError(.syntax, column: current.column, "unexpected '\(word)'; write '\(replacement)'")
        }
        throw ExpressionError(
            .syntax, column: current.column,
            "unexpected \(current.quotedText); expected an operator such as '&&', '||' or '==' or the end")
    }

    // MARK: Tokens

    private var current: ExpressionToken { tokens[position] }

    private func peek(_ offset: Int) -> ExpressionToken { tokens[min(position + offset, tokens.count - 1)] }

    @discardableResult
    private mutating func advance() -> ExpressionToken {
        let token = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return token
    }

    private mutating func expect(_ symbol: String, closing open: ExpressionToken) throws(ExpressionError) {
        guard current.isSymbol(symbol) else {
            throw ExpressionError(
                .syntax, column: current.column,
                "expected '\(symbol)' to close the '\(open.text)' at column \(open.column), got \(current.quotedText)")
        }
        advance()
    }

    // MARK: Depth

    private func tooDeep(at column: Int) -> ExpressionError {
        ExpressionError(
            .tooDeep, column: column,
            "the condition is nested too deeply (more than \(maximumDepth) levels); simplify it")
    }

    private mutating func enter(at column: Int) throws(ExpressionError) {
        nesting += 1
        if nesting > maximumDepth { throw tooDeep(at: column) }
    }

    private mutating func leave() { nesting -= 1 }

    private func make(_ kind: Expression.Kind, column: Int) throws(ExpressionError) -> Expression {
        var expression = Expression(kind: kind, column: column, depth: 1)
        expression.depth = 1 + (expression.children.map(\.depth).max() ?? 0)
        if expression.depth > maximumDepth { throw tooDeep(at: column) }
        return expression
    }

    // MARK: Precedence levels

    private mutating func parseOr() throws(ExpressionError) -> Expression {
        try parseChain(of: "||", operand: { parser throws(ExpressionError) in try parser.parseAnd() }, build: Expression.Kind.or)
    }

    private mutating func parseAnd() throws(ExpressionError) -> Expression {
        try parseChain(of: "&&", operand: { parser throws(ExpressionError) in try parser.parseRelation() }, build: Expression.Kind.and)
    }

    /// `a OP b OP c` as one flat node, so that a long chain adds one level, not one per operand.
    private mutating func parseChain(
        of symbol: String,
        operand: (inout ConditionParser) throws(ExpressionError) -> Expression,
        build: ([Expression]) -> Expression.Kind
    ) throws(ExpressionError) -> Expression {
        var operands = [try operand(&self)]
        guard current.isSymbol(symbol) else { return operands[0] }
        let column = current.column
        while current.isSymbol(symbol) {
            advance()
            operands.append(try operand(&self))
        }
        return try make(build(operands), column: column)
    }

    private static let relations: [String: Expression.BinaryOperator] = [
        "==": .equal, "!=": .notEqual, "<": .less, "<=": .lessOrEqual, ">": .greater, ">=": .greaterOrEqual,
    ]

    private func relationOperator(_ token: ExpressionToken) -> Expression.BinaryOperator? {
        switch token.kind {
        case .symbol(let s): return Self.relations[s]
        case .name("in"): return .in
        default: return nil
        }
    }

    private mutating func parseRelation() throws(ExpressionError) -> Expression {
        var lhs = try parseAdditive()
        while let op = relationOperator(current) {
            let token = advance()
            let rhs = try parseAdditive()
            lhs = try make(.binary(op, lhs, rhs), column: token.column)
        }
        return lhs
    }

    private mutating func parseAdditive() throws(ExpressionError) -> Expression {
        var lhs = try parseUnary()
        while current.isSymbol("+") || current.isSymbol("-") {
            let token = advance()
            let rhs = try parseUnary()
            lhs = try make(.binary(token.text == "+" ? .add : .subtract, lhs, rhs), column: token.column)
        }
        return lhs
    }

    private mutating func parseUnary() throws(ExpressionError) -> Expression {
        var operators: [ExpressionToken] = []
        while current.isSymbol("!") || current.isSymbol("-") {
            operators.append(advance())
            if operators.count > maximumDepth { throw tooDeep(at: operators.last!.column) }
        }
        var operand = try parsePostfix()
        for op in operators.reversed() {
            if op.text == "-", case .literal(.number(let n)) = operand.kind {
                operand = Expression(kind: .literal(.number(-n)), column: op.column, depth: 1)
            } else {
                operand = try make(op.text == "!" ? .not(operand) : .negate(operand), column: op.column)
            }
        }
        return operand
    }

    private mutating func parsePostfix() throws(ExpressionError) -> Expression {
        var expression = try parsePrimary()
        while true {
            if current.isSymbol(".") {
                let nameToken = peek(1)
                guard let name = nameToken.name else {
                    throw ExpressionError(
                        .syntax, column: nameToken.column, "expected a field name after '.', got \(nameToken.quotedText)")
                }
                if peek(2).isSymbol("(") {
                    expression = try parseMethod(name, on: expression, at: nameToken)
                } else {
                    advance()
                    advance()
                    expression = try make(.field(expression, name), column: nameToken.column)
                }
            } else if current.isSymbol("[") {
                let open = advance()
                try enter(at: open.column)
                let index = try parseOr()
                try expect("]", closing: open)
                leave()
                expression = try make(.index(expression, index), column: open.column)
            } else {
                return expression
            }
        }
    }

    private mutating func parseMethod(_ name: String, on receiver: Expression, at nameToken: ExpressionToken) throws(ExpressionError) -> Expression {
        guard name == "size" else {
            throw ExpressionError(.syntax, column: nameToken.column, "unknown method '\(name)()'; only size() is supported")
        }
        advance()  // .
        advance()  // size
        let open = advance()
        guard current.isSymbol(")") else {
            throw ExpressionError(
                .syntax, column: current.column, "x.size() takes no arguments; expected ')' after '(' at column \(open.column)")
        }
        advance()
        return try make(.size(receiver), column: nameToken.column)
    }

    private mutating func parsePrimary() throws(ExpressionError) -> Expression {
        let token = current
        switch token.kind {
        case .number(let n):
            advance()
            return Expression(kind: .literal(.number(n)), column: token.column, depth: 1)
        case .string(let s):
            advance()
            return Expression(kind: .literal(.string(s)), column: token.column, depth: 1)
        case .name(let name):
            return try parseName(name, token)
        case .symbol("("):
            advance()
            try enter(at: token.column)
            let inner = try parseOr()
            try expect(")", closing: token)
            leave()
            return inner
        case .symbol("["):
            return try parseList(token)
        default:
            throw missingOperand()
        }
    }

    private func missingOperand() -> ExpressionError {
        let got = current
        guard position > 0 else {
            return ExpressionError(.syntax, column: got.column, "expected an operand, got \(got.quotedText)")
        }
        let previous = tokens[position - 1]
        let tail: String
        if case .end = got.kind { tail = "" } else { tail = ", got \(got.quotedText)" }
        return ExpressionError(.syntax, column: got.column, "expected an operand after \(previous.quotedText)\(tail)")
    }

    private mutating func parseName(_ name: String, _ token: ExpressionToken) throws(ExpressionError) -> Expression {
        switch name {
        case "true", "false":
            advance()
            return Expression(kind: .literal(.bool(name == "true")), column: token.column, depth: 1)
        case "null":
            advance()
            return Expression(kind: .literal(.null), column: token.column, depth: 1)
        case "size":
            guard peek(1).isSymbol("(") else {
                throw ExpressionError(.syntax, column: token.column, "size is a function; call it as size(x) or x.size()")
            }
            advance()
            let open = advance()
            try enter(at: open.column)
            let argument = try parseOr()
            if current.isSymbol(",") {
                throw ExpressionError(.syntax, column: current.column, "size() takes one argument")
            }
            try expect(")", closing: open)
            leave()
            return try make(.size(argument), column: token.column)
        case "in":
            throw missingOperand()
        case "and", "or", "not":
            let replacement = ["and": "&&", "or": "||", "not": "!"][name]!
            throw ExpressionError(.syntax, column: token.column, "unknown name '\(name)'; write '\(replacement)'")
        default:
            if ReferencePathParser.rootNames.contains(name) {
                let reference = try ReferencePathParser.parse(tokens, at: &position, stopAtDynamicAccessor: true)
                return Expression(kind: .reference(reference), column: token.column, depth: 1)
            }
            if peek(1).isSymbol("(") {
                throw ExpressionError(.syntax, column: token.column, "unknown function '\(name)()'; only size() is supported")
            }
            throw ReferencePathParser.unknownName(token)
        }
    }

    private mutating func parseList(_ open: ExpressionToken) throws(ExpressionError) -> Expression {
        advance()
        try enter(at: open.column)
        var items: [Expression] = []
        while !current.isSymbol("]") {
            items.append(try parseOr())
            if current.isSymbol(",") {
                advance()
            } else if !current.isSymbol("]") {
                throw ExpressionError(
                    .syntax, column: current.column,
                    "expected ',' or ']' in the list that starts at column \(open.column), got \(current.quotedText)")
            }
        }
        advance()
        leave()
        return try make(.list(items), column: open.column)
    }
}
