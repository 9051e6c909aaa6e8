import CapstanSupport

/// A minimal XML reader for the handful of S3 and STS responses the client reads (errors,
/// listings, multipart uploads, credentials). Hand-written rather than FoundationXML so that
/// the controller image needs no libxml2; it handles elements, text, entities, CDATA, comments
/// and processing instructions, and ignores attributes and namespace prefixes.
struct XMLTree: Sendable, Equatable {
    var name: String
    var text: String = ""
    var children: [XMLTree] = []

    /// The first child with this local name.
    func child(_ name: String) -> XMLTree? {
        children.first { $0.name == name }
    }

    func children(_ name: String) -> [XMLTree] {
        children.filter { $0.name == name }
    }

    /// Text of the first child with this name, or nil when there is none.
    func value(_ name: String) -> String? {
        child(name)?.text
    }

    struct ParseError: Error, CustomStringConvertible {
        var offset: Int
        var reason: String
        var description: String { "XML at byte \(offset): \(reason)" }
    }

    static func parse(_ bytes: [UInt8]) throws -> XMLTree {
        var reader = XMLReader(bytes: bytes)
        return try reader.document()
    }
}

private struct XMLReader {
    let bytes: [UInt8]
    var position = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    func fail(_ reason: String) -> XMLTree.ParseError {
        XMLTree.ParseError(offset: position, reason: reason)
    }

    func starts(with text: String) -> Bool {
        let needle = Array(text.utf8)
        guard position + needle.count <= bytes.count else { return false }
        return bytes[position..<position + needle.count].elementsEqual(needle)
    }

    mutating func skip(past terminator: String) throws {
        let needle = Array(terminator.utf8)
        while position + needle.count <= bytes.count {
            if bytes[position..<position + needle.count].elementsEqual(needle) {
                position += needle.count
                return
            }
            position += 1
        }
        throw fail("unterminated construct, expected \(terminator)")
    }

    mutating func skipMisc() throws {
        while position < bytes.count {
            if isSpace(bytes[position]) {
                position += 1
            } else if starts(with: "<?") {
                try skip(past: "?>")
            } else if starts(with: "<!--") {
                try skip(past: "-->")
            } else if starts(with: "<!") && !starts(with: "<![CDATA[") {
                try skip(past: ">")
            } else {
                return
            }
        }
    }

    mutating func document() throws -> XMLTree {
        try skipMisc()
        guard position < bytes.count, bytes[position] == UInt8(ascii: "<") else { throw fail("expected a root element") }
        let root = try element()
        try skipMisc()
        guard position == bytes.count else { throw fail("content after the root element") }
        return root
    }

    /// Reads `<name ...>children</name>` or `<name .../>` starting at `<`.
    mutating func element(depth: Int = 0) throws -> XMLTree {
        guard depth < 64 else { throw fail("elements nested too deeply") }
        position += 1
        let name = readName()
        guard !name.isEmpty else { throw fail("expected an element name") }
        var element = XMLTree(name: localName(name))
        // Attributes are skipped, honouring quotes so a '>' inside a value does not end the tag.
        var quote: UInt8? = nil
        while true {
            guard position < bytes.count else { throw fail("unterminated tag <\(name)") }
            let byte = bytes[position]
            if let open = quote {
                if byte == open { quote = nil }
                position += 1
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                quote = byte
                position += 1
            } else if starts(with: "/>") {
                position += 2
                return element
            } else if byte == UInt8(ascii: ">") {
                position += 1
                break
            } else {
                position += 1
            }
        }
        var text: [UInt8] = []
        while true {
            guard position < bytes.count else { throw fail("missing </\(name)>") }
            if starts(with: "</") {
                position += 2
                let closing = readName()
                guard closing == name else { throw fail("</\(closing)> closes <\(name)>") }
                while position < bytes.count, isSpace(bytes[position]) { position += 1 }
                guard position < bytes.count, bytes[position] == UInt8(ascii: ">") else { throw fail("malformed </\(name)>") }
                position += 1
                element.text = String(decoding: text, as: UTF8.self)
                return element
            } else if starts(with: "<![CDATA[") {
                position += 9
                let start = position
                try skip(past: "]]>")
                text.append(contentsOf: bytes[start..<position - 3])
            } else if starts(with: "<!--") {
                try skip(past: "-->")
            } else if starts(with: "<?") {
                try skip(past: "?>")
            } else if bytes[position] == UInt8(ascii: "<") {
                element.children.append(try self.element(depth: depth + 1))
            } else if bytes[position] == UInt8(ascii: "&") {
                text.append(contentsOf: try entity())
            } else {
                text.append(bytes[position])
                position += 1
            }
        }
    }

    mutating func readName() -> String {
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            if isSpace(byte) || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "/") { break }
            position += 1
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    func localName(_ name: String) -> String {
        if let colon = name.lastIndex(of: ":") { return String(name[name.index(after: colon)...]) }
        return name
    }

    mutating func entity() throws -> [UInt8] {
        let start = position
        while position < bytes.count, bytes[position] != UInt8(ascii: ";"), position - start < 12 { position += 1 }
        guard position < bytes.count, bytes[position] == UInt8(ascii: ";") else { throw fail("unterminated entity") }
        let name = String(decoding: bytes[start + 1..<position], as: UTF8.self)
        position += 1
        switch name {
        case "amp": return [UInt8(ascii: "&")]
        case "lt": return [UInt8(ascii: "<")]
        case "gt": return [UInt8(ascii: ">")]
        case "quot": return [UInt8(ascii: "\"")]
        case "apos": return [UInt8(ascii: "'")]
        default:
            let scalar: UInt32?
            if name.hasPrefix("#x") || name.hasPrefix("#X") {
                scalar = UInt32(name.dropFirst(2), radix: 16)
            } else if name.hasPrefix("#") {
                scalar = UInt32(name.dropFirst(), radix: 10)
            } else {
                scalar = nil
            }
            guard let scalar, let character = Unicode.Scalar(scalar) else { throw fail("unknown entity &\(name);") }
            return Array(String(character).utf8)
        }
    }

    func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}

/// Escapes text for an XML element body (the multipart completion request).
func xmlEscape(_ text: String) -> String { MarkupText.escaped(text) }
