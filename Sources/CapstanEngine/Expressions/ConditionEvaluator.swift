import CapstanAPI

/// Evaluates a parsed condition over JSON values with CEL's rules where users notice them:
/// numbers compare numerically, strings by code point, `==` is deep equality (values of
/// different types are simply unequal), and every other type mismatch is an error.
struct ConditionEvaluator<Scope: ExpressionScope> {
    typealias Expression = ConditionExpression

    let scope: Scope

    func evaluate(_ expression: Expression) throws(ExpressionError) -> JSONValue {
        let column = expression.column
        switch expression.kind {
        case .literal(let value):
            return value
        case .list(let items):
            var values: [JSONValue] = []
            values.reserveCapacity(items.count)
            for item in items { values.append(try evaluate(item)) }
            return .array(values)
        case .reference(let reference):
            return try reference.resolve(in: scope)
        case .field(let base, let name):
            return try access(.field(name), of: try evaluate(base), column: column)
        case .index(let base, let index):
            let container = try evaluate(base)
            let key = try evaluate(index)
            return try access(try accessor(for: key, of: container, column: index.column), of: container, column: column)
        case .size(let argument):
            return try size(of: try evaluate(argument), column: column)
        case .not(let operand):
            let value = try evaluate(operand)
            guard case .bool(let b) = value else {
                throw mismatch(column, "'!' needs true or false, got \(value.typeName)")
            }
            return .bool(!b)
        case .negate(let operand):
            let value = try evaluate(operand)
            guard case .number(let n) = value else {
                throw mismatch(column, "'-' needs a number, got \(value.typeName)")
            }
            return .number(-n)
        case .and(let operands):
            return try logical(operands, symbol: "&&", decisive: false)
        case .or(let operands):
            return try logical(operands, symbol: "||", decisive: true)
        case .binary(let op, let lhs, let rhs):
            return try ConditionOperators.apply(op, try evaluate(lhs), try evaluate(rhs), column: column)
        }
    }

    private func mismatch(_ column: Int, _ message: String) -> ExpressionError {
        ExpressionError(.typeMismatch, column: column, message)
    }

    /// `&&` stops at the first false, `||` at the first true. An error in an operand is kept
    /// and thrown only if no later operand decides the result, as CEL does, so the outcome
    /// does not depend on the operands' order.
    private func logical(_ operands: [Expression], symbol: String, decisive: Bool) throws(ExpressionError) -> JSONValue {
        var firstError: ExpressionError?
        for operand in operands {
            do throws(ExpressionError) {
                let value = try evaluate(operand)
                guard case .bool(let b) = value else {
                    throw mismatch(operand.column, "'\(symbol)' needs true or false on each side, got \(value.typeName)")
                }
                if b == decisive { return .bool(decisive) }
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        if let firstError { throw firstError }
        return .bool(!decisive)
    }

    private func accessor(for key: JSONValue, of container: JSONValue, column: Int) throws(ExpressionError) -> Reference.Accessor {
        switch (container, key) {
        case (.array, .number(let n)):
            guard n.rounded() == n, abs(n) < 9.0e15 else {
                throw mismatch(column, "a list index must be a whole number, got \(key.jsonString)")
            }
            guard n >= 0 else {
                throw ExpressionError(.missingValue, column: column, "index \(Int(n)) is negative; list indexes start at 0")
            }
            return .index(Int(n))
        case (.array, _):
            throw mismatch(column, "a list index must be a number, got \(key.typeName)")
        case (.object, .string(let name)):
            return .field(name)
        case (.object, _):
            throw mismatch(column, "object keys are strings; cannot look one up with \(key.typePhrase)")
        default:
            throw mismatch(column, "cannot index \(container.typePhrase) with [\(key.jsonString)]")
        }
    }

    private func access(_ accessor: Reference.Accessor, of value: JSONValue, column: Int) throws(ExpressionError) -> JSONValue {
        switch Reference.apply(accessor, to: value) {
        case .success(let found): return found
        case .failure(let failure): throw ExpressionError(failure.kind, column: column, failure.message)
        }
    }

    private func size(of value: JSONValue, column: Int) throws(ExpressionError) -> JSONValue {
        switch value {
        case .string(let s): return .number(Double(s.unicodeScalars.count))
        case .array(let items): return .number(Double(items.count))
        case .object(let fields): return .number(Double(fields.count))
        default: throw mismatch(column, "size() needs a string, list or object, got \(value.typeName)")
        }
    }
}
