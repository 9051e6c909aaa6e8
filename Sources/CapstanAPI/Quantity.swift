import Foundation

/// A Kubernetes resource quantity (`500m`, `2Gi`, `1e3`), kept exactly as a decimal so
/// that `1000m` equals `1` and `1Gi` is exactly 1073741824.
public struct Quantity: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The text as written, so round-trips keep the user's spelling.
    public let text: String
    public let value: Decimal

    public init(_ text: String) throws(QuantityError) {
        self.text = text
        self.value = try Quantity.parse(text)
    }

    public var description: String { text }

    public static func < (lhs: Quantity, rhs: Quantity) -> Bool { lhs.value < rhs.value }
    public static func == (lhs: Quantity, rhs: Quantity) -> Bool { lhs.value == rhs.value }
    public func hash(into hasher: inout Hasher) { hasher.combine(value) }

    /// The value in thousandths, rounded up, as Kubernetes does for CPU (`1.5` → 1500).
    public var milliValue: Int64 {
        var scaled = value * 1000
        var rounded = Decimal()
        NSDecimalRound(&rounded, &scaled, 0, .up)
        return NSDecimalNumber(decimal: rounded).int64Value
    }

    /// The value rounded up to a whole number (bytes, GPUs).
    public var integerValue: Int64 {
        var v = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &v, 0, .up)
        return NSDecimalNumber(decimal: rounded).int64Value
    }

    private static let binarySuffixes: [String: Decimal] = [
        "Ki": 1024, "Mi": Decimal(1 << 20), "Gi": Decimal(1 << 30), "Ti": Decimal(1 << 40),
        "Pi": Decimal(1 << 50), "Ei": Decimal(1 << 60),
    ]
    private static let decimalSuffixes: [String: Int] = [
        "n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18,
    ]

    static func parse(_ text: String) throws(QuantityError) -> Decimal {
        guard !text.isEmpty else { throw QuantityError(text: text, reason: "empty quantity") }
        guard text.count <= 64 else { throw QuantityError(text: text, reason: "longer than 64 characters") }
        let scalars = Array(text.unicodeScalars)
        var i = 0
        if scalars[i] == "+" || scalars[i] == "-" { i += 1 }
        let numberStart = i
        var digits = 0
        var sawDot = false
        while i < scalars.count {
            let c = scalars[i]
            if c.properties.numericType != nil, c.isASCII {
                digits += 1
            } else if c == ".", !sawDot {
                sawDot = true
            } else {
                break
            }
            i += 1
        }
        guard digits > 0 else {
            throw QuantityError(text: text, reason: "must start with a number, like 500m, 2Gi or 1.5")
        }
        let number = String(String.UnicodeScalarView(scalars[0..<i]))
        let suffix = String(String.UnicodeScalarView(scalars[i...]))
        _ = numberStart
        guard var value = Decimal(string: number, locale: Locale(identifier: "en_US_POSIX")) else {
            throw QuantityError(text: text, reason: "not a number")
        }
        if let multiplier = binarySuffixes[suffix] {
            value *= multiplier
        } else if let exponent = decimalSuffixes[suffix] {
            value *= Decimal(sign: .plus, exponent: exponent, significand: 1)
        } else if let first = suffix.first, first == "e" || first == "E",
            let exponent = Int(suffix.dropFirst()), abs(exponent) <= 18
        {
            value *= Decimal(sign: .plus, exponent: exponent, significand: 1)
        } else {
            throw QuantityError(
                text: text,
                reason: "unknown suffix \"\(suffix)\" (use n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent like e3)"
            )
        }
        return value
    }
}

public struct QuantityError: Error, Sendable, CustomStringConvertible {
    public var text: String
    public var reason: String
    public var description: String { "invalid quantity \"\(text)\": \(reason)" }
}
