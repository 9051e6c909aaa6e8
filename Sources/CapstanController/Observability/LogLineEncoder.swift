import CapstanSupport
import Logging

/// Formats one log message as a line (newline included) in either `LogFormat`.
///
/// JSON: `ts`, `level`, `msg`, `logger`, then the metadata keys in sorted order at the top
/// level. Integers, floating-point numbers and booleans logged as values (not interpolated
/// into strings) stay numbers and booleans; everything else is a string; nested metadata
/// becomes objects and arrays. A metadata key that collides with one of the four fixed keys
/// is written as `meta_KEY`.
struct LogLineEncoder {
    static let fixedKeys: Set<String> = ["ts", "level", "msg", "logger"]

    var timestamp: String
    var level: Logger.Level
    var message: String
    var label: String
    var metadata: Logger.Metadata

    func json() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128 + message.utf8.count)
        out.append(UInt8(ascii: "{"))
        appendField("ts", into: &out, first: true) { Self.appendJSONString(timestamp, into: &$0) }
        appendField("level", into: &out) { Self.appendJSONString(level.rawValue, into: &$0) }
        appendField("msg", into: &out) { Self.appendJSONString(message, into: &$0) }
        appendField("logger", into: &out) { Self.appendJSONString(label, into: &$0) }
        for key in metadata.keys.sorted() {
            let name = Self.fixedKeys.contains(key) ? "meta_\(key)" : key
            appendField(name, into: &out) { Self.appendJSON(metadata[key]!, into: &$0) }
        }
        out.append(contentsOf: Array("}\n".utf8))
        return out
    }

    func text() -> [UInt8] {
        var line = "\(timestamp) \(level.rawValue) \(Self.singleLine(message))"
        for key in metadata.keys.sorted() {
            line += " \(key)=\(Self.textValue(Self.plain(metadata[key]!)))"
        }
        line += " logger=\(Self.textValue(label))\n"
        return Array(line.utf8)
    }

    private func appendField(_ key: String, into out: inout [UInt8], first: Bool = false, value: (inout [UInt8]) -> Void) {
        if !first { out.append(UInt8(ascii: ",")) }
        Self.appendJSONString(key, into: &out)
        out.append(UInt8(ascii: ":"))
        value(&out)
    }

    private static func appendJSON(_ value: Logger.MetadataValue, into out: inout [UInt8]) {
        switch value {
        case .string(let text):
            appendJSONString(text, into: &out)
        case .stringConvertible(let convertible):
            switch convertible {
            case let flag as Bool:
                out.append(contentsOf: Array((flag ? "true" : "false").utf8))
            case let number as any BinaryInteger:
                out.append(contentsOf: Array("\(number)".utf8))
            case let number as Double where number.isFinite:
                out.append(contentsOf: Array("\(number)".utf8))
            case let number as Float where number.isFinite:
                out.append(contentsOf: Array("\(number)".utf8))
            default:
                appendJSONString(convertible.description, into: &out)
            }
        case .dictionary(let dictionary):
            out.append(UInt8(ascii: "{"))
            for (index, key) in dictionary.keys.sorted().enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                appendJSONString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                appendJSON(dictionary[key]!, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (index, element) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                appendJSON(element, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
    }

    /// Log lines escape DEL too, so no control character reaches a terminal that shows them.
    static func appendJSONString(_ text: String, into out: inout [UInt8]) {
        JSONString.append(text, to: &out, escapingDelete: true)
    }

    /// Metadata as text: nested values in a compact bracketed form.
    private static func plain(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let text): return text
        case .stringConvertible(let convertible): return convertible.description
        case .dictionary(let dictionary):
            return "{" + dictionary.keys.sorted().map { "\($0)=\(plain(dictionary[$0]!))" }.joined(separator: " ") + "}"
        case .array(let values):
            return "[" + values.map(plain).joined(separator: " ") + "]"
        }
    }

    /// Quotes a value when it would not read back as one token.
    private static func textValue(_ text: String) -> String {
        let needsQuotes = text.isEmpty || text.unicodeScalars.contains { scalar in
            scalar == " " || scalar == "=" || scalar == "\"" || scalar.value < 0x20 || scalar.value == 0x7f
        }
        guard needsQuotes else { return text }
        var quoted: [UInt8] = []
        appendJSONString(text, into: &quoted)
        return String(decoding: quoted, as: UTF8.self)
    }

    private static func singleLine(_ text: String) -> String {
        guard text.contains(where: { $0 == "\n" || $0 == "\r" }) else { return text }
        return text.replacing("\r\n", with: "\\n").replacing("\n", with: "\\n").replacing("\r", with: "\\r")
    }
}
