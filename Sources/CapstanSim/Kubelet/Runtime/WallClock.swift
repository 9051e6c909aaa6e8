import CapstanAPI
import Foundation

/// Wall-clock time as Kubernetes writes it in objects. Timers use `ContinuousClock`; this
/// is only for the timestamps that end up in statuses, leases and conditions.
enum WallClock {
    /// `2026-01-02T03:04:05Z`.
    static func now() -> String { CapstanAPI.Timestamp(Date()).rfc3339 }

    /// `MicroTime`, as Lease `renewTime` requires: `2026-01-02T03:04:05.123456Z`.
    static func microNow() -> String {
        let date = Date()
        let seconds = date.timeIntervalSince1970
        let micros = Int((seconds - seconds.rounded(.down)) * 1_000_000)
        let whole = CapstanAPI.Timestamp(secondsSince1970: seconds.rounded(.down)).rfc3339
        let digits = String(micros)
        return whole.dropLast() + "." + String(repeating: "0", count: max(0, 6 - digits.count)) + digits + "Z"
    }

    /// Seconds from an RFC 3339 timestamp to now; nil when it does not parse.
    static func secondsSince(_ text: String) -> Double? {
        guard let then = CapstanAPI.Timestamp(rfc3339: text) else { return nil }
        return Date().timeIntervalSince1970 - then.secondsSince1970
    }
}
