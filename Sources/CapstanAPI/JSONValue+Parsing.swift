/// A JSON text that could not be parsed, with the byte offset of the problem.
public struct JSONParseError: Error, Sendable, CustomStringConvertible, Equatable {
    public var offset: Int
    public var reason: String
    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

extension JSONValue {
    /// Nesting deeper than this is refused rather than risking the stack on hostile input.
    public static let maximumDepth = 512

    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    public static func parse<Bytes: Collection<UInt8>>(_ bytes: Bytes) throws(JSONParseError) -> JSONValue {
        let array = Array(bytes)
        return try array.withUnsafeBufferPointer { (buffer) throws(JSONParseError) -> JSONValue in
            var parser = JSONParser(bytes: buffer)
            let value = try parser.parseValue(depth: 0)
            parser.skipWhitespace()
            guard parser.offset == buffer.count else { throw parser.error("unexpected text after the value") }
            return value
        }
    }
}

extension JSONValue {
    /// Parses, leaving out the values at the skip list's paths (as if those keys were absent).
    /// A skipped value is only checked for balanced brackets and terminated strings.
    public static func parse<Bytes: Collection<UInt8>>(_ bytes: Bytes, skipping: JSONSkipList) throws(JSONParseError) -> JSONValue {
        if skipping.isEmpty { return try parse(bytes) }
        let array = Array(bytes)
        return try array.withUnsafeBufferPointer { (buffer) throws(JSONParseError) -> JSONValue in
            var parser = JSONParser(bytes: buffer)
            parser.skipWhitespace()
            let value: JSONValue
            if parser.offset < buffer.count, buffer[parser.offset] == UInt8(ascii: "{") {
                value = try parser.parseObject(depth: 0, skipping: skipping)
            } else {
                value = try parser.parseValue(depth: 0)
            }
            parser.skipWhitespace()
            guard parser.offset == buffer.count else { throw parser.error("unexpected text after the value") }
            return value
        }
    }
}

private struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var offset = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    func error(_ reason: String) -> JSONParseError { JSONParseError(offset: offset, reason: reason) }

    mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): offset += 1
            default: return
            }
        }
    }

    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth < JSONValue.maximumDepth else { throw error("nesting deeper than \(JSONValue.maximumDepth) levels") }
        skipWhitespace()
        guard offset < bytes.count else { throw error("unexpected end of input") }
        switch bytes[offset] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        default: return .number(try parseNumber())
        }
    }

    mutating func expectLiteral(_ word: String) throws(JSONParseError) {
        let literal = Array(word.utf8)
        guard offset + literal.count <= bytes.count else { throw error("unexpected end of input") }
        for (i, byte) in literal.enumerated() where bytes[offset + i] != byte {
            throw error("unexpected character")
        }
        offset += literal.count
    }

    /// An object; with a skip list, keys it names are stepped over (or stand for the value
    /// the reader holds) and the others parsed (with the list's subtree when it goes deeper).
    mutating func parseObject(depth: Int, skipping: JSONSkipList? = nil) throws(JSONParseError) -> JSONValue {
        offset += 1
        // Gathered in order and made a dictionary once, at its final size: a dictionary
        // grown key by key hashes every key again each time it doubles.
        var fields: [(String, JSONValue)] = []
        skipWhitespace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") {
            offset += 1
            return .object([:])
        }
        while true {
            skipWhitespace()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { throw error("expected a quoted key") }
            let key = try parseString()
            skipWhitespace()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: ":") else { throw error("expected ':' after key") }
            offset += 1
            if let rule = skipping?.children[key] {
                skipWhitespace()
                if rule.skipsWhole {
                    try skipValue()
                } else if let held = rule.held?(Self.object(fields)) {
                    try skipValue()
                    fields.append((key, held))
                } else if offset < bytes.count, bytes[offset] == UInt8(ascii: "{") {
                    guard depth + 1 < JSONValue.maximumDepth else { throw error("nesting deeper than \(JSONValue.maximumDepth) levels") }
                    fields.append((key, try parseObject(depth: depth + 1, skipping: rule)))
                } else {
                    fields.append((key, try parseValue(depth: depth + 1)))
                }
            } else {
                fields.append((key, try parseValue(depth: depth + 1)))
            }
            skipWhitespace()
            guard offset < bytes.count else { throw error("unexpected end of input in object") }
            if bytes[offset] == UInt8(ascii: ",") { offset += 1; continue }
            if bytes[offset] == UInt8(ascii: "}") { offset += 1; return .object(Self.object(fields)) }
            throw error("expected ',' or '}' in object")
        }
    }

    /// An object's fields as a dictionary; a key written twice keeps its last value.
    private static func object(_ fields: [(String, JSONValue)]) -> [String: JSONValue] {
        Dictionary(fields, uniquingKeysWith: { _, later in later })
    }

    /// Steps over one value without building it.
    mutating func skipValue() throws(JSONParseError) {
        guard offset < bytes.count else { throw error("unexpected end of input") }
        switch bytes[offset] {
        case UInt8(ascii: "\""):
            try skipString()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var nesting = 0
            while offset < bytes.count {
                switch bytes[offset] {
                case UInt8(ascii: "\""):
                    try skipString()
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    nesting += 1
                    guard nesting < JSONValue.maximumDepth else { throw error("nesting deeper than \(JSONValue.maximumDepth) levels") }
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    nesting -= 1
                    if nesting == 0 {
                        offset += 1
                        return
                    }
                default:
                    break
                }
                offset += 1
            }
            throw error("unexpected end of input")
        default:
            _ = try parseValue(depth: 0)
        }
    }

    mutating func skipString() throws(JSONParseError) {
        offset += 1
        while offset < bytes.count {
            switch bytes[offset] {
            case UInt8(ascii: "\\"): offset += 2
            case UInt8(ascii: "\""): offset += 1; return
            default: offset += 1
            }
        }
        throw error("unterminated string")
    }

    mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        offset += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") {
            offset += 1
            return .array(items)
        }
        while true {
            items.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            guard offset < bytes.count else { throw error("unexpected end of input in list") }
            if bytes[offset] == UInt8(ascii: ",") { offset += 1; continue }
            if bytes[offset] == UInt8(ascii: "]") { offset += 1; return .array(items) }
            throw error("expected ',' or ']' in list")
        }
    }

    mutating func parseString() throws(JSONParseError) -> String {
        offset += 1
        let start = offset
        // Fast path: no escapes.
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
                offset += 1
                return s
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error("control character in string") }
            offset += 1
        }
        var out = Array(bytes[start..<offset])
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                offset += 1
                return String(decoding: out, as: UTF8.self)
            }
            if byte < 0x20 { throw error("control character in string") }
            if byte != UInt8(ascii: "\\") {
                out.append(byte)
                offset += 1
                continue
            }
            offset += 1
            guard offset < bytes.count else { break }
            let escape = bytes[offset]
            offset += 1
            switch escape {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "/"): out.append(UInt8(ascii: "/"))
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try parseHex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    guard offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u")
                    else { throw error("unpaired surrogate") }
                    offset += 2
                    let low = try parseHex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw error("invalid low surrogate") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw error("invalid unicode escape") }
                out.append(contentsOf: Array(String(Character(unicode)).utf8))
            default:
                throw error("invalid escape")
            }
        }
        throw error("unterminated string")
    }

    mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        guard offset + 4 <= bytes.count else { throw error("short unicode escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[offset]
            let digit: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw error("invalid hex digit")
            }
            value = value * 16 + digit
            offset += 1
        }
        return value
    }

    mutating func parseNumber() throws(JSONParseError) -> Double {
        let start = offset
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        var sawDigit = false
        var isInteger = true
        while offset < bytes.count {
            let b = bytes[offset]
            if b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") {
                sawDigit = true
            } else if b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
                || b == UInt8(ascii: "+") || b == UInt8(ascii: "-")
            {
                isInteger = false
            } else {
                break
            }
            offset += 1
        }
        guard sawDigit else {
            offset = start
            throw error("unexpected character")
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
        if isInteger, text.count < 16, let i = Int(text) { return Double(i) }
        guard let d = Double(text), d.isFinite else {
            offset = start
            throw error("invalid number '\(text)'")
        }
        return d
    }
}
