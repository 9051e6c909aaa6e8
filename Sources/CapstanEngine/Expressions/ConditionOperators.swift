import CapstanAPI

/// The binary operators of conditions, applied to already evaluated operands.
enum ConditionOperators {
    static func apply(
        _ op: ConditionExpression.BinaryOperator, _ lhs: JSONValue, _ rhs: JSONValue, column: Int
    ) throws(ExpressionError) -> JSONValue {
        switch op {
        case .equal: return .bool(lhs == rhs)
        case .notEqual: return .bool(lhs != rhs)
        case .less: return .bool(try order(lhs, rhs, op, column) < 0)
        case .lessOrEqual: return .bool(try order(lhs, rhs, op, column) <= 0)
        case .greater: return .bool(try order(lhs, rhs, op, column) > 0)
        case .greaterOrEqual: return .bool(try order(lhs, rhs, op, column) >= 0)
        case .in: return .bool(try contains(rhs, lhs, column))
        case .add: return try add(lhs, rhs, column)
        case .subtract:
            guard case .number(let a) = lhs, case .number(let b) = rhs else {
                throw mismatch(column, "cannot subtract \(rhs.typeName) from \(lhs.typeName) with '-'")
            }
            return try finite(a - b, column)
        }
    }

    private static func mismatch(_ column: Int, _ message: String) -> ExpressionError {
        ExpressionError(.typeMismatch, column: column, message)
    }

    /// -1, 0 or 1. Numbers, strings (by Unicode code point, as CEL) and booleans are ordered;
    /// anything else, or two different types, is an error.
    private static func order(
        _ lhs: JSONValue, _ rhs: JSONValue, _ op: ConditionExpression.BinaryOperator, _ column: Int
    ) throws(ExpressionError) -> Int {
        switch (lhs, rhs) {
        case (.number(let a), .number(let b)):
            return a < b ? -1 : a > b ? 1 : 0
        case (.string(let a), .string(let b)):
            if a.unicodeScalars.elementsEqual(b.unicodeScalars) { return 0 }
            return a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) ? -1 : 1
        case (.bool(let a), .bool(let b)):
            return a == b ? 0 : (!a ? -1 : 1)
        default:
            if lhs.typeName == rhs.typeName {
                throw mismatch(column, "cannot order \(lhs.typeName) values with '\(op.rawValue)'")
            }
            throw mismatch(column, "cannot compare \(lhs.typeName) and \(rhs.typeName) with '\(op.rawValue)'")
        }
    }

    private static func contains(_ container: JSONValue, _ element: JSONValue, _ column: Int) throws(ExpressionError) -> Bool {
        switch container {
        case .array(let items):
            return items.contains(element)
        case .object(let fields):
            guard case .string(let key) = element else {
                throw mismatch(column, "'in' on an object looks up a key, which is a string, not \(element.typePhrase)")
            }
            return fields[key] != nil
        default:
            throw mismatch(column, "'in' needs a list or an object on its right, got \(container.typeName)")
        }
    }

    private static func add(_ lhs: JSONValue, _ rhs: JSONValue, _ column: Int) throws(ExpressionError) -> JSONValue {
        switch (lhs, rhs) {
        case (.number(let a), .number(let b)): return try finite(a + b, column)
        case (.string(let a), .string(let b)): return .string(a + b)
        case (.array(let a), .array(let b)): return .array(a + b)
        default: throw mismatch(column, "cannot add \(lhs.typeName) and \(rhs.typeName) with '+'")
        }
    }

    private static func finite(_ n: Double, _ column: Int) throws(ExpressionError) -> JSONValue {
        guard n.isFinite else { throw mismatch(column, "the result is too large for a number") }
        return .number(n)
    }
}
