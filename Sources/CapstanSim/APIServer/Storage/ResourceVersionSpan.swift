/// Where `metadata.resourceVersion`'s string value (its quotes included) sits in an object's
/// JSON, found by walking keys and stepping over whole values, so that an annotation, a label
/// or a field elsewhere named `resourceVersion` is never taken for it. Lets the store give a
/// deleted object its new resourceVersion without decoding and encoding it again.
enum ResourceVersionSpan {
    static func find(in bytes: [UInt8]) -> Range<Int>? {
        var scanner = JSONKeyScanner(bytes: bytes)
        guard scanner.enterValue(ofKey: Array("metadata".utf8)),
              scanner.enterValue(ofKey: Array("resourceVersion".utf8)) else { return nil }
        return scanner.stringSpan()
    }

    /// `bytes` with the span replaced by `"resourceVersion"`; nil when there is no such span.
    static func replacing(in bytes: [UInt8], with resourceVersion: Int) -> [UInt8]? {
        guard let span = find(in: bytes) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 8)
        out.append(contentsOf: bytes[..<span.lowerBound])
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: String(resourceVersion).utf8)
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: bytes[span.upperBound...])
        return out
    }
}

/// A cursor over JSON text that finds a key's value in an object without decoding anything.
private struct JSONKeyScanner {
    let bytes: [UInt8]
    var index = 0

    private static let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
    private static let openBrace = UInt8(ascii: "{"), closeBrace = UInt8(ascii: "}")
    private static let openBracket = UInt8(ascii: "["), closeBracket = UInt8(ascii: "]")
    private static let colon = UInt8(ascii: ":"), comma = UInt8(ascii: ",")

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// At an object: moves to the value of its key `key`; false when the value here is not an
    /// object or has no such key.
    mutating func enterValue(ofKey key: [UInt8]) -> Bool {
        skipSpace()
        guard peek == Self.openBrace else { return false }
        index += 1
        while true {
            skipSpace()
            guard let name = string() else { return false }
            skipSpace()
            guard peek == Self.colon else { return false }
            index += 1
            skipSpace()
            if bytes[name].elementsEqual(key) { return true }
            guard skipValue() else { return false }
            skipSpace()
            guard peek == Self.comma else { return false }
            index += 1
        }
    }

    /// At a string: its span, quotes included.
    mutating func stringSpan() -> Range<Int>? {
        let start = index
        guard string() != nil else { return nil }
        return start..<index
    }

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipSpace() {
        while let byte = peek, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    /// At a string: moves past it and returns its contents' range (escapes left as they are).
    private mutating func string() -> Range<Int>? {
        guard peek == Self.quote else { return nil }
        index += 1
        let start = index
        while let byte = peek {
            if byte == Self.backslash {
                index += 2
            } else if byte == Self.quote {
                index += 1
                return start..<(index - 1)
            } else {
                index += 1
            }
        }
        return nil
    }

    private mutating func skipValue() -> Bool {
        switch peek {
        case nil:
            return false
        case Self.quote:
            return string() != nil
        case Self.openBrace, Self.openBracket:
            var depth = 0
            while let byte = peek {
                if byte == Self.quote {
                    guard string() != nil else { return false }
                    continue
                }
                if byte == Self.openBrace || byte == Self.openBracket { depth += 1 }
                if byte == Self.closeBrace || byte == Self.closeBracket {
                    depth -= 1
                    if depth == 0 {
                        index += 1
                        return true
                    }
                }
                index += 1
            }
            return false
        default:
            // A number, true, false or null: up to the next separator.
            while let byte = peek, byte != Self.comma, byte != Self.closeBrace, byte != Self.closeBracket,
                  byte != 0x20, byte != 0x0A, byte != 0x0D, byte != 0x09 {
                index += 1
            }
            return true
        }
    }
}
