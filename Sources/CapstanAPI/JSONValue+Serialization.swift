import CapstanSupport

extension JSONValue {
    /// Compact JSON with object keys sorted, so equal values always serialize to equal bytes.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(into: &out)
        return out
    }

    public var jsonString: String { String(decoding: serialized(), as: UTF8.self) }

    /// Whether `serialized()` would write more than `limit` bytes. Most values are far below
    /// the limits asked about (a pod against 1.5 MiB), so a bound counted without writing
    /// anything answers first, and only a value near the limit is written out to count.
    public func serializes(moreThan limit: Int) -> Bool {
        guard serializedSizeBound() > limit else { return false }
        return serialized().count > limit
    }

    /// At least as many bytes as `serialized()` writes: each byte of a string or key as six
    /// (`\u00XX`, the longest escape), each number as 32, plus quotes and separators.
    private func serializedSizeBound() -> Int {
        switch self {
        case .null, .bool: return 5
        case .number: return 32
        case .string(let text): return 2 + 6 * text.utf8.count
        case .array(let items): return items.reduce(2) { $0 + 1 + $1.serializedSizeBound() }
        case .object(let fields): return fields.reduce(2) { $0 + 4 + 6 * $1.key.utf8.count + $1.value.serializedSizeBound() }
        }
    }

    public func write(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        case .bool(true): out.append(contentsOf: [0x74, 0x72, 0x75, 0x65])
        case .bool(false): out.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65])
        case .number(let n): out.append(contentsOf: JSONValue.format(number: n).utf8)
        case .string(let s): JSONString.append(s, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let fields):
            out.append(UInt8(ascii: "{"))
            // Sorted with their values, so that no key is hashed again to find its value.
            for (i, field) in fields.sorted(by: { $0.key < $1.key }).enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONString.append(field.key, to: &out)
                out.append(UInt8(ascii: ":"))
                field.value.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func format(number n: Double) -> String {
        guard n.isFinite else { return "null" }
        if n.rounded() == n, abs(n) < 9.0e15 { return String(Int64(n)) }
        return "\(n)"
    }

    /// Indented JSON for people (kubectl-style output, `--output json`).
    public func prettyPrinted(indent: String = "  ") -> String {
        var out = ""
        pretty(into: &out, level: 0, indent: indent)
        return out
    }

    private func pretty(into out: inout String, level: Int, indent: String) {
        let pad = String(repeating: indent, count: level + 1)
        let closePad = String(repeating: indent, count: level)
        switch self {
        case .array(let items) where !items.isEmpty:
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += pad
                item.pretty(into: &out, level: level + 1, indent: indent)
                out += i == items.count - 1 ? "\n" : ",\n"
            }
            out += closePad + "]"
        case .object(let fields) where !fields.isEmpty:
            out += "{\n"
            let keys = fields.keys.sorted()
            for (i, key) in keys.enumerated() {
                out += pad + JSONValue.string(key).jsonString + ": "
                fields[key]!.pretty(into: &out, level: level + 1, indent: indent)
                out += i == keys.count - 1 ? "\n" : ",\n"
            }
            out += closePad + "}"
        default:
            out += jsonString
        }
    }
}
