/// The text of a template or condition as Unicode scalars, which are cheap to scan, with the
/// mapping back to the 1-based character columns that users see in error messages.
struct SourceText: Sendable {
    let scalars: [Unicode.Scalar]
    /// Column of each scalar, plus one past the end; nil when scalar i is simply column i + 1.
    private let columns: [Int]?

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
        // ASCII without CR is one character per scalar ("\r\n" is a single character).
        if text.utf8.allSatisfy({ $0 < 0x80 && $0 != 0x0D }) {
            columns = nil
            return
        }
        var columns: [Int] = []
        columns.reserveCapacity(scalars.count + 1)
        var column = 1
        for character in text {
            for _ in character.unicodeScalars { columns.append(column) }
            column += 1
        }
        columns.append(column)
        self.columns = columns
    }

    var count: Int { scalars.count }

    subscript(index: Int) -> Unicode.Scalar { scalars[index] }

    /// The 1-based character column of the scalar at `index` (`count` gives one past the end).
    func column(at index: Int) -> Int { columns?[index] ?? index + 1 }

    func text(_ range: Range<Int>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[range])
        return String(view)
    }

    /// Whether `a` then `b` start at `index`.
    func hasPair(_ a: Unicode.Scalar, _ b: Unicode.Scalar, at index: Int) -> Bool {
        index + 1 < scalars.count && scalars[index] == a && scalars[index + 1] == b
    }
}

extension Unicode.Scalar {
    var isASCIIDigit: Bool { value >= 0x30 && value <= 0x39 }

    var isNameStart: Bool { (value >= 0x61 && value <= 0x7A) || (value >= 0x41 && value <= 0x5A) || value == 0x5F }

    /// Letters, digits and `_`; names may also hold inner `-` after a dot.
    var isNameCharacter: Bool { isNameStart || isASCIIDigit }

    var isSpace: Bool {
        switch value {
        case 0x20, 0x09, 0x0A, 0x0D, 0x0B, 0x0C: return true
        case 0..<0x80: return false
        default: return properties.isWhitespace
        }
    }

    var hexDigitValue: Int? {
        switch value {
        case 0x30...0x39: return Int(value - 0x30)
        case 0x41...0x46: return Int(value - 0x41 + 10)
        case 0x61...0x66: return Int(value - 0x61 + 10)
        default: return nil
        }
    }
}
