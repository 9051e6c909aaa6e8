/// A duration written in Go/Kubernetes syntax (`90s`, `5m`, `1h30m`, `1.5h`, `250ms`).
public struct SpecDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let text: String
    public let seconds: Double

    public init(_ text: String) throws(DurationError) {
        self.text = text
        self.seconds = try SpecDuration.parse(text)
    }

    public init(seconds: Double) {
        self.seconds = seconds
        self.text = SpecDuration.format(seconds)
    }

    public var description: String { text }
    public static func < (lhs: SpecDuration, rhs: SpecDuration) -> Bool { lhs.seconds < rhs.seconds }
    public static func == (lhs: SpecDuration, rhs: SpecDuration) -> Bool { lhs.seconds == rhs.seconds }
    public func hash(into hasher: inout Hasher) { hasher.combine(seconds) }

    private static let units: [(String, Double)] = [
        ("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600),
    ]

    static func parse(_ text: String) throws(DurationError) -> Double {
        guard !text.isEmpty else { throw DurationError(text: text, reason: "empty duration") }
        if text == "0" { return 0 }
        var rest = Substring(text)
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, let amount = Double(number) else {
                throw DurationError(text: text, reason: "expected a number before a unit, like 90s, 5m or 1h30m")
            }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            guard let unit = units.first(where: { $0.0 == unitText }) else {
                let shown = unitText.isEmpty ? "a missing unit" : "unknown unit \"\(unitText)\""
                throw DurationError(text: text, reason: "\(shown) (use ns, us, ms, s, m or h)")
            }
            rest = rest.dropFirst(unitText.count)
            total += amount * unit.1
        }
        guard total.isFinite, total < 1e10 else { throw DurationError(text: text, reason: "too long") }
        return total
    }

    static func format(_ seconds: Double) -> String {
        if seconds == 0 { return "0s" }
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        var remaining = Int(seconds.rounded())
        var text = ""
        if remaining >= 3600 { text += "\(remaining / 3600)h"; remaining %= 3600 }
        if remaining >= 60 { text += "\(remaining / 60)m"; remaining %= 60 }
        if remaining > 0 || text.isEmpty { text += "\(remaining)s" }
        return text
    }
}

public struct DurationError: Error, Sendable, CustomStringConvertible {
    public var text: String
    public var reason: String
    public var description: String { "invalid duration \"\(text)\": \(reason)" }
}
