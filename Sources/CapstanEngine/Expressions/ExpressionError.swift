import CapstanAPI

/// A problem with a template or a `when` condition: found while parsing (bad syntax) or while
/// evaluating (a missing value, a type mismatch, a reference to a skipped node).
///
/// `column` is 1-based and counts characters of the string the user wrote (the whole template
/// string, or the whole condition). `path` locates that string inside a rendered JSON tree
/// (`TemplatedValue`): empty for a lone template or condition, otherwise a suffix such as
/// `.config.args[2]` that callers append to their own field path.
public struct ExpressionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, as an open set of codes so that new kinds break no caller.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private let code: String
        private init(_ code: String) { self.code = code }

        /// The text is not a valid template or condition.
        public static let syntax = Kind("syntax")
        /// The expression nests deeper than the parser allows.
        public static let tooDeep = Kind("tooDeep")
        /// A referenced value does not exist: unknown input, missing field, index out of range.
        public static let missingValue = Kind("missingValue")
        /// A reference reads the outputs of a node that was skipped; the reading node is
        /// skipped too (SPEC §2).
        public static let skippedNode = Kind("skippedNode")
        /// An operator or accessor was applied to a value of the wrong type.
        public static let typeMismatch = Kind("typeMismatch")

        public var description: String { code }
    }

    public var kind: Kind
    public var column: Int
    public var message: String
    public var path: String
    /// The skipped node whose outputs were read, when `kind == .skippedNode`.
    public var skippedNode: String?

    public init(_ kind: Kind, column: Int, _ message: String, path: String = "", skippedNode: String? = nil) {
        self.kind = kind
        self.column = column
        self.message = message
        self.path = path
        self.skippedNode = skippedNode
    }

    /// `column N: message`; callers put the field path (plus `path`) in front.
    public var description: String { "column \(column): \(message)" }

    func at(path prefix: String) -> ExpressionError {
        var copy = self
        copy.path = prefix + path
        return copy
    }
}

extension JSONValue {
    /// The type with an article, for messages such as "cannot read field of a list".
    var typePhrase: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .object: return "an object"
        }
    }
}
