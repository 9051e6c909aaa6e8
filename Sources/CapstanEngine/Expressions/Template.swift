import CapstanAPI

/// A string with `{{ reference }}` segments, parsed once and rendered many times (per map
/// item, per attempt).
///
/// A string that is exactly one `{{ }}` keeps the referenced value's JSON type when rendered
/// (`"{{ inputs.rates }}"` renders a list); inside longer text a string is inserted as is and
/// any other value as compact JSON.
public struct Template: Sendable, Hashable {
    public enum Part: Sendable, Hashable {
        case text(String)
        case reference(Reference)
    }

    public let source: String
    public let parts: [Part]

    /// Parses `source`; an error's column counts characters of `source` from 1.
    public static func parse(_ source: String) throws(ExpressionError) -> Template {
        let text = SourceText(source)
        var parts: [Part] = []
        var literalStart = 0
        var i = 0
        while i < text.count {
            guard text.hasPair("{", "{", at: i) else {
                i += 1
                continue
            }
            let close = try closingBraces(in: text, openedAt: i)
            let inside = (i + 2)..<close
            if text.scalars[inside].allSatisfy(\.isSpace) {
                throw ExpressionError(
                    .syntax, column: text.column(at: i),
                    "empty '{{ }}'; put a reference inside, such as {{ inputs.NAME }}")
            }
            let tokens = try ExpressionLexer.tokenize(text, in: inside)
            var position = 0
            let reference = try ReferencePathParser.parseWhole(tokens, at: &position)
            if literalStart < i { parts.append(.text(text.text(literalStart..<i))) }
            parts.append(.reference(reference))
            i = close + 2
            literalStart = i
        }
        if literalStart < text.count { parts.append(.text(text.text(literalStart..<text.count))) }
        return Template(source: source, parts: parts)
    }

    private static func closingBraces(in text: SourceText, openedAt open: Int) throws(ExpressionError) -> Int {
        var j = open + 2
        while j + 1 < text.count {
            if text.hasPair("}", "}", at: j) { return j }
            if text.hasPair("{", "{", at: j) { break }
            j += 1
        }
        throw ExpressionError(.syntax, column: text.column(at: open), "unclosed '{{'; close it with '}}'")
    }

    /// Every reference, in order of appearance.
    public var references: [Reference] {
        parts.compactMap { part in
            if case .reference(let reference) = part { return reference }
            return nil
        }
    }

    /// Names of the nodes whose outputs the template reads.
    public var referencedNodes: Set<String> { Set(references.compactMap(\.node)) }

    /// True when the whole string is one `{{ }}`, so rendering keeps the value's JSON type.
    public var isWholeValue: Bool {
        if parts.count == 1, case .reference = parts[0] { return true }
        return false
    }

    /// True when the string holds no `{{ }}` at all.
    public var isLiteral: Bool { references.isEmpty }

    /// The rendered value: typed for a whole-value template, a string otherwise.
    public func render(_ scope: some ExpressionScope) throws(ExpressionError) -> JSONValue {
        if parts.count == 1, case .reference(let reference) = parts[0] {
            return try reference.resolve(in: scope)
        }
        return .string(try renderText(scope))
    }

    /// The rendered text, for places that need a string (command, args, env, annotations):
    /// strings inserted as is, other values as compact JSON.
    public func renderText(_ scope: some ExpressionScope) throws(ExpressionError) -> String {
        var out = ""
        for part in parts {
            switch part {
            case .text(let text):
                out += text
            case .reference(let reference):
                let value = try reference.resolve(in: scope)
                if case .string(let s) = value { out += s } else { out += value.jsonString }
            }
        }
        return out
    }
}
