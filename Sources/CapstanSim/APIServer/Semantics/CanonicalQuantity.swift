import CapstanAPI
import Foundation

/// A resource quantity as kube-apiserver writes it back and prints it in messages
/// (`resource.Quantity.String()`): the largest suffix that keeps the number whole, in the
/// format it was written in (binary `Ki`/`Mi`/..., decimal `m`/`k`/`M`/..., or `eN`).
struct CanonicalQuantity: Sendable, Hashable {
    enum Format: Sendable, Hashable {
        case decimalSI, binarySI, decimalExponent
    }

    var value: Decimal
    var format: Format

    init(value: Decimal, format: Format) {
        self.value = value
        self.format = format
    }

    /// A JSON string (`"500m"`) or number (`2`); nil when it does not parse.
    init?(_ json: JSONValue) {
        let text: String
        switch json {
        case .string(let string): text = string
        case .number(let number): text = number == number.rounded() ? String(Int64(number)) : String(number)
        default: return nil
        }
        guard let quantity = try? Quantity(text) else { return nil }
        value = quantity.value
        let suffix = text.drop { $0.isNumber || $0 == "." || $0 == "+" || $0 == "-" }
        if suffix.hasSuffix("i") {
            format = .binarySI
        } else if suffix.first == "e" || suffix.first == "E" {
            format = .decimalExponent
        } else {
            format = .decimalSI
        }
    }

    static let zero = CanonicalQuantity(value: 0, format: .decimalSI)

    /// kube's `Add`: the sum keeps the left side's format, unless the left side is an unset zero.
    static func + (lhs: CanonicalQuantity, rhs: CanonicalQuantity) -> CanonicalQuantity {
        CanonicalQuantity(value: lhs.value + rhs.value, format: lhs.value == 0 ? rhs.format : lhs.format)
    }

    var isWhole: Bool { Self.rounded(value, scale: 0) == value }

    var text: String {
        guard value != 0 else { return "0" }
        if format == .binarySI, abs(value) >= 1024, isWhole {
            var mantissa = value
            var exponent = 0
            while exponent < 6, Self.rounded(mantissa / 1024, scale: 0) == mantissa / 1024 {
                mantissa /= 1024
                exponent += 1
            }
            return Self.digits(mantissa) + ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][exponent]
        }
        // Decimal: whole nanos (rounded up, as kube does), then the largest power of 1000.
        var mantissa = Self.rounded(value * Decimal(sign: .plus, exponent: 9, significand: 1), scale: 0, mode: .up)
        var exponent = -9
        while exponent < 18, Self.rounded(mantissa / 1000, scale: 0) == mantissa / 1000 {
            mantissa /= 1000
            exponent += 3
        }
        if format == .decimalExponent {
            return Self.digits(mantissa) + (exponent == 0 ? "" : "e\(exponent)")
        }
        let suffixes = [-9: "n", -6: "u", -3: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T", 15: "P", 18: "E"]
        return Self.digits(mantissa) + (suffixes[exponent] ?? "")
    }

    private static func digits(_ whole: Decimal) -> String {
        NSDecimalNumber(decimal: whole).stringValue
    }

    private static func rounded(_ value: Decimal, scale: Int, mode: NSDecimalNumber.RoundingMode = .plain) -> Decimal {
        var input = value
        var output = Decimal()
        NSDecimalRound(&output, &input, scale, mode)
        return output
    }
}
