/// One field of a cron schedule: the set of values it allows, as bits (minutes need 60, the
/// most of any field), and whether it was written starting with `*` — which day-of-month and
/// day-of-week need for Vixie cron's rule of combining them.
struct CronField: Sendable, Hashable {
    let bits: UInt64
    let isStar: Bool

    func contains(_ value: Int) -> Bool { bits & (1 << UInt64(value)) != 0 }

    /// The allowed values in order.
    var values: [Int] { (0..<64).filter(contains) }

    /// What one field may hold and how it is named in messages.
    struct Kind: Sendable {
        let name: String
        let range: ClosedRange<Int>
        /// Three-letter names, the first for `range.lowerBound`.
        let names: [String]
        /// Day-of-week accepts 7 for Sunday, as 0.
        let sevenIsZero: Bool

        static let minute = Kind(name: "minute", range: 0...59, names: [], sevenIsZero: false)
        static let hour = Kind(name: "hour", range: 0...23, names: [], sevenIsZero: false)
        static let dayOfMonth = Kind(name: "day-of-month", range: 1...31, names: [], sevenIsZero: false)
        static let month = Kind(name: "month", range: 1...12, names: [
            "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
        ], sevenIsZero: false)
        static let dayOfWeek = Kind(name: "day-of-week", range: 0...6, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], sevenIsZero: true)
    }

    /// Parses `*`, `5`, `1-5`, `MON-FRI`, `*/15`, `10-50/20`, `5/10` (from 5 to the end) and
    /// comma-separated lists of these.
    init(_ text: Substring, kind: Kind) throws(CronError) {
        var bits: UInt64 = 0
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            bits |= try Self.parseItem(item, kind: kind)
        }
        self.bits = bits
        self.isStar = text.hasPrefix("*")
    }

    private static func parseItem(_ item: Substring, kind: Kind) throws(CronError) -> UInt64 {
        let parts = item.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        var step = 1
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), parsed > 0 else {
                throw CronError("\(kind.name) \"\(item)\": the step after / must be a whole number above 0")
            }
            step = parsed
        }
        let range: ClosedRange<Int>
        if parts[0] == "*" {
            range = kind.range
        } else if let dash = parts[0].firstIndex(of: "-") {
            let low = try value(parts[0][..<dash], item: item, kind: kind)
            let high = try value(parts[0][parts[0].index(after: dash)...], item: item, kind: kind)
            // Sunday written as 0 or SUN closes a range such as FRI-SUN as 7 would.
            let top = kind.sevenIsZero && high == 0 && low > 0 ? 7 : high
            guard low <= top else { throw CronError("\(kind.name) \"\(item)\": the range runs backwards") }
            range = low...top
        } else {
            let single = try value(parts[0], item: item, kind: kind)
            // `5/10` means from 5 to the end of the field in steps of 10.
            range = parts.count == 2 ? single...kind.range.upperBound : single...single
        }
        var bits: UInt64 = 0
        for value in stride(from: range.lowerBound, through: range.upperBound, by: step) {
            bits |= 1 << UInt64(kind.sevenIsZero && value == 7 ? 0 : value)
        }
        return bits
    }

    private static func value(_ text: Substring, item: Substring, kind: Kind) throws(CronError) -> Int {
        if let index = kind.names.firstIndex(of: text.uppercased()) { return kind.range.lowerBound + index }
        guard let number = Int(text) else {
            let named = kind.names.isEmpty ? "" : " or a name such as \(kind.names[1])"
            throw CronError("\(kind.name) \"\(item)\": \"\(text)\" is not a number\(named)")
        }
        let top = kind.sevenIsZero ? 7 : kind.range.upperBound
        guard number >= kind.range.lowerBound && number <= top else {
            throw CronError("\(kind.name) \"\(item)\": \(number) is out of range \(kind.range.lowerBound)-\(top)")
        }
        // Day-of-week 7 stays 7 here, so that 0-7 and 5-7 are ranges; it becomes Sunday's bit above.
        return number
    }
}

/// Why a schedule could not be read, as a person can act on it.
public struct CronError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
