import CapstanAPI
import CapstanSupport
import Foundation

/// Wall-clock time as Kubernetes writes it in objects. Timers use `ContinuousClock`; this
/// is only for the timestamps that end up in statuses, leases and conditions.
enum WallClock {
    /// `2026-01-02T03:04:05Z`.
    static func now() -> String { UTCTime.now().rfc3339() }

    /// `MicroTime`, as Lease `renewTime` requires: `2026-01-02T03:04:05.123456Z`.
    static func microNow() -> String { UTCTime.now().rfc3339(fractionDigits: 6) }

    /// Seconds from an RFC 3339 timestamp to now; nil when it does not parse.
    static func secondsSince(_ text: String) -> Double? {
        guard let then = CapstanAPI.Timestamp(rfc3339: text) else { return nil }
        return Date().timeIntervalSince1970 - then.secondsSince1970
    }
}
