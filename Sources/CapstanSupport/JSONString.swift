/// Writes a string as a JSON string literal: quotes, backslashes and control characters
/// escaped, everything else (UTF-8 included) copied as is.
public enum JSONString {
    /// - Parameter escapingDelete: also write DEL (0x7f) as `\u007f`. JSON does not require it,
    ///   and API objects leave it as Go's encoder does; log lines escape it so that a log read
    ///   in a terminal cannot carry control characters.
    public static func append(_ text: String, to out: inout [UInt8], escapingDelete: Bool = false) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                appendUnicodeEscape(byte, to: &out)
            case 0x7f where escapingDelete:
                appendUnicodeEscape(byte, to: &out)
            default:
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func appendUnicodeEscape(_ byte: UInt8, to out: inout [UInt8]) {
        out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xf)]])
    }
}
