import CapstanAPI

/// The parsed form of a `when` condition. `column` is where the user should look when the
/// node fails: an operator for binary nodes, the first character for the rest.
struct ConditionExpression: Sendable, Hashable {
    indirect enum Kind: Sendable, Hashable {
        case literal(JSONValue)
        case list([ConditionExpression])
        case reference(Reference)
        /// `.name` on a computed value such as `(x).name` or `[{"a": 1}][0].a`.
        case field(ConditionExpression, String)
        /// `x[i]` where `x` or `i` is computed.
        case index(ConditionExpression, ConditionExpression)
        case size(ConditionExpression)
        case not(ConditionExpression)
        case negate(ConditionExpression)
        /// `a && b && …`, kept flat so long chains do not nest.
        case and([ConditionExpression])
        case or([ConditionExpression])
        case binary(BinaryOperator, ConditionExpression, ConditionExpression)
    }

    enum BinaryOperator: String, Sendable, Hashable {
        case equal = "=="
        case notEqual = "!="
        case less = "<"
        case lessOrEqual = "<="
        case greater = ">"
        case greaterOrEqual = ">="
        case `in` = "in"
        case add = "+"
        case subtract = "-"
    }

    var kind: Kind
    var column: Int
    /// Height of the tree below this node, bounded by `Condition.maximumDepth`.
    var depth: Int

    var children: [ConditionExpression] {
        switch kind {
        case .literal, .reference: return []
        case .list(let items), .and(let items), .or(let items): return items
        case .field(let base, _), .size(let base), .not(let base), .negate(let base): return [base]
        case .index(let base, let index): return [base, index]
        case .binary(_, let lhs, let rhs): return [lhs, rhs]
        }
    }

    func collectReferences(into out: inout [Reference]) {
        if case .reference(let reference) = kind { out.append(reference) }
        for child in children { child.collectReferences(into: &out) }
    }
}
