/// One token of a reference path or condition, with its 1-based column.
struct ExpressionToken: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        case name(String)
        case number(Double)
        case string(String)
        case symbol(String)
        case end
    }

    var kind: Kind
    var column: Int
    /// The source text, for messages.
    var text: String

    func isSymbol(_ symbol: String) -> Bool { kind == .symbol(symbol) }

    var name: String? {
        if case .name(let name) = kind { return name }
        return nil
    }

    /// How a message refers to the token: `'&&'`, `'foo'`, or "the end".
    var quotedText: String {
        switch kind {
        case .end: return "the end"
        case .string: return text
        default: return "'\(text)'"
        }
    }

    var isLiteral: Bool {
        switch kind {
        case .number, .string: return true
        default: return false
        }
    }
}

/// Splits the characters of a condition, or of the inside of `{{ }}`, into tokens.
///
/// A name written right after `.` may contain inner `-` and start with a digit, because node
/// names are DNS labels (`nodes.train-2.outputs.x`); write `a.b - 1` with spaces to subtract.
struct ExpressionLexer {
    private let source: SourceText
    private var position: Int
    private let end: Int
    private var tokens: [ExpressionToken] = []
    private var lastWasDot = false
    private var openBrackets = 0
    private let maximumNesting: Int

    /// With `maximumNesting`, more open brackets than that stop lexing at once, so that a
    /// hostile `((((…` fails in time proportional to the limit, not to its length.
    static func tokenize(
        _ source: SourceText, in range: Range<Int>, maximumNesting: Int = .max
    ) throws(ExpressionError) -> [ExpressionToken] {
        var lexer = ExpressionLexer(
            source: source, position: range.lowerBound, end: range.upperBound, maximumNesting: maximumNesting)
        try lexer.run()
        return lexer.tokens
    }

    private init(source: SourceText, position: Int, end: Int, maximumNesting: Int) {
        self.source = source
        self.position = position
        self.end = end
        self.maximumNesting = maximumNesting
    }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        position + offset < end ? source[position + offset] : nil
    }

    private func error(_ message: String, at index: Int) -> ExpressionError {
        ExpressionError(.syntax, column: source.column(at: index), message)
    }

    private mutating func add(_ kind: ExpressionToken.Kind, from start: Int, text: String? = nil) {
        let text = text ?? source.text(start..<position)
        tokens.append(ExpressionToken(kind: kind, column: source.column(at: start), text: text))
        lastWasDot = text == "."
    }

    private mutating func run() throws(ExpressionError) {
        while let c = peek() {
            if c.isSpace {
                position += 1
                continue
            }
            let start = position
            if c.isNameStart || (lastWasDot && c.isNameCharacter) {
                lexName(allowingDashes: lastWasDot)
                let name = source.text(start..<position)
                add(.name(name), from: start, text: name)
            } else if c.isASCIIDigit {
                add(.number(try lexNumber()), from: start)
            } else if c == "\"" || c == "'" {
                add(.string(try lexString(quote: c)), from: start)
            } else {
                let symbol = try lexSymbol(c)
                add(.symbol(symbol), from: start, text: symbol)
                try countBrackets(symbol, at: start)
            }
        }
        tokens.append(ExpressionToken(kind: .end, column: source.column(at: end), text: ""))
    }

    private mutating func countBrackets(_ symbol: String, at start: Int) throws(ExpressionError) {
        if symbol == "(" || symbol == "[" {
            openBrackets += 1
            if openBrackets > maximumNesting {
                throw ExpressionError(
                    .tooDeep, column: source.column(at: start),
                    "the condition is nested too deeply (more than \(maximumNesting) levels); simplify it")
            }
        } else if symbol == ")" || symbol == "]" {
            openBrackets = max(0, openBrackets - 1)
        }
    }

    private mutating func lexName(allowingDashes: Bool) {
        position += 1
        while let c = peek() {
            if c.isNameCharacter {
                position += 1
            } else if allowingDashes, c == "-" {
                // Inner dashes only: `a.b-c` is one name, `a.b -c` and `a.b- c` are not.
                var look = 1
                while peek(look) == "-" { look += 1 }
                guard let after = peek(look), after.isNameCharacter else { return }
                position += look
            } else {
                return
            }
        }
    }

    private mutating func lexNumber() throws(ExpressionError) -> Double {
        let start = position
        if peek() == "0", peek(1) == "x" || peek(1) == "X" {
            position += 2
            var value: Double = 0
            var digits = 0
            while let c = peek(), let digit = c.hexDigitValue {
                value = value * 16 + Double(digit)
                digits += 1
                position += 1
            }
            if digits == 0 { throw error("a hexadecimal number needs digits after '0x'", at: start) }
            try rejectTrailingLetters(start: start)
            return value
        }
        while peek()?.isASCIIDigit == true { position += 1 }
        if peek() == ".", peek(1)?.isASCIIDigit == true {
            position += 1
            while peek()?.isASCIIDigit == true { position += 1 }
        }
        if peek() == "e" || peek() == "E" {
            var look = 1
            if peek(look) == "+" || peek(look) == "-" { look += 1 }
            if peek(look)?.isASCIIDigit == true {
                position += look
                while peek()?.isASCIIDigit == true { position += 1 }
            }
        }
        let text = source.text(start..<position)
        try rejectTrailingLetters(start: start)
        guard let value = Double(text), value.isFinite else {
            throw error("number \(text) is too large", at: start)
        }
        return value
    }

    private mutating func rejectTrailingLetters(start: Int) throws(ExpressionError) {
        // CEL's unsigned suffix: 3u is the number 3.
        if peek() == "u" || peek() == "U", !(peek(1)?.isNameCharacter ?? false) {
            position += 1
            return
        }
        if let c = peek(), c.isNameCharacter {
            var stop = position
            while stop < end, source[stop].isNameCharacter { stop += 1 }
            throw error("invalid number '\(source.text(start..<stop))'", at: start)
        }
    }

    private mutating func lexString(quote: Unicode.Scalar) throws(ExpressionError) -> String {
        let start = position
        position += 1
        var value = String.UnicodeScalarView()
        while let c = peek() {
            if c == quote {
                position += 1
                return String(value)
            }
            if c == "\n" || c == "\r" { break }
            if c == "\\" {
                value.append(try lexEscape())
            } else {
                value.append(c)
                position += 1
            }
        }
        throw error("unterminated string; add the closing \(quote)", at: start)
    }

    private mutating func lexEscape() throws(ExpressionError) -> Unicode.Scalar {
        let start = position
        position += 1
        guard let c = peek() else { throw error("unterminated string: '\\' at the end", at: start) }
        position += 1
        switch c {
        case "\\": return "\\"
        case "\"": return "\""
        case "'": return "'"
        case "`": return "`"
        case "?": return "?"
        case "n": return "\n"
        case "r": return "\r"
        case "t": return "\t"
        case "a": return "\u{07}"
        case "b": return "\u{08}"
        case "f": return "\u{0C}"
        case "v": return "\u{0B}"
        case "u", "U", "x":
            let count = c == "u" ? 4 : c == "U" ? 8 : 2
            var code: UInt32 = 0
            for _ in 0..<count {
                guard let digit = peek()?.hexDigitValue else {
                    throw error("'\\\(c)' needs \(count) hexadecimal digits", at: start)
                }
                code = code * 16 + UInt32(digit)
                position += 1
            }
            guard let scalar = Unicode.Scalar(code) else {
                throw error("'\\\(c)' escape is not a valid Unicode code point", at: start)
            }
            return scalar
        default:
            throw error("unknown escape '\\\(c)' in string", at: start)
        }
    }

    private static let pairs: Set<String> = ["==", "!=", "<=", ">=", "&&", "||"]

    private mutating func lexSymbol(_ c: Unicode.Scalar) throws(ExpressionError) -> String {
        let start = position
        if let next = peek(1), next == "=" || next == "&" || next == "|", c.isASCII {
            let pair = String(Character(c)) + String(Character(next))
            if Self.pairs.contains(pair) {
                position += 2
                return pair
            }
        }
        switch c {
        case ".", "[", "]", "(", ")", ",", "!", "<", ">", "+", "-":
            position += 1
            return String(Character(c))
        case "=": throw error("unexpected '='; compare with '=='", at: start)
        case "&": throw error("unexpected '&'; use '&&' for \"and\"", at: start)
        case "|": throw error("unexpected '|'; use '||' for \"or\"", at: start)
        case "*", "/", "%": throw error("operator '\(c)' is not supported", at: start)
        case "?", ":": throw error("the conditional operator '? :' is not supported", at: start)
        default: throw error("unexpected character '\(c)'", at: start)
        }
    }
}
