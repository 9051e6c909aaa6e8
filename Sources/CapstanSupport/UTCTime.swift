#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A moment as Unix time, written out in UTC. The calendar is computed by hand so that no
/// locale, time-zone setting or Foundation formatter can change the text, and so that it
/// is cheap and `Sendable`: every log line, signed request and Kubernetes object needs one.
public struct UTCTime: Sendable, Hashable {
    public var secondsSince1970: Int64
    /// 0 ..< 1_000_000_000.
    public var nanoseconds: Int

    public init(secondsSince1970: Int64, nanoseconds: Int = 0) {
        self.secondsSince1970 = secondsSince1970
        self.nanoseconds = min(max(nanoseconds, 0), 999_999_999)
    }

    /// From fractional seconds, as Foundation's `timeIntervalSince1970` gives them.
    public init(timeIntervalSince1970 seconds: Double) {
        let whole = seconds.rounded(.down)
        self.init(secondsSince1970: Int64(whole), nanoseconds: Int((seconds - whole) * 1e9))
    }

    /// The wall clock now.
    public static func now() -> UTCTime {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UTCTime(secondsSince1970: Int64(spec.tv_sec), nanoseconds: Int(spec.tv_nsec))
    }

    /// `2026-01-02T03:04:05Z`; with `fractionDigits` 3 (milliseconds, as logs write it) or 6
    /// (Kubernetes `MicroTime`) `2026-01-02T03:04:05.678Z`. Fractions are truncated, not rounded,
    /// so a time never reads as later than it was.
    public func rfc3339(fractionDigits: Int = 0) -> String {
        let c = components
        var text = pad(c.year, 4) + "-" + pad(c.month, 2) + "-" + pad(c.day, 2) + "T"
            + pad(c.hour, 2) + ":" + pad(c.minute, 2) + ":" + pad(c.second, 2)
        if fractionDigits > 0 {
            let digits = min(fractionDigits, 9)
            var divisor = 1
            for _ in digits..<9 { divisor *= 10 }
            text += "." + pad(Int64(nanoseconds / divisor), digits)
        }
        return text + "Z"
    }

    /// ISO 8601's basic form, `20150830T123600Z`: what AWS Signature V4 calls `X-Amz-Date`.
    public var iso8601Basic: String {
        let c = components
        return pad(c.year, 4) + pad(c.month, 2) + pad(c.day, 2) + "T"
            + pad(c.hour, 2) + pad(c.minute, 2) + pad(c.second, 2) + "Z"
    }

    private var components: (year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64) {
        let seconds = secondsSince1970
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = Self.civil(fromDays: days)
        return (year, month, day, secondOfDay / 3600, secondOfDay / 60 % 60, secondOfDay % 60)
    }

    private func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    // Howard Hinnant's days-from-civil algorithms: exact for the proleptic Gregorian calendar.
    // Public for the cron schedule, which walks a zone's wall clock day by day.
    public static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Days since 1970-01-01 of a civil date (the inverse of `civil(fromDays:)`).
    public static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
