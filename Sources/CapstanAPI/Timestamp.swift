import CapstanSupport
import Foundation

/// A point in time as Kubernetes writes it (RFC 3339, UTC, whole seconds), kept as seconds
/// since 1970 so that the engine can do arithmetic without a calendar.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var secondsSince1970: Double

    public init(secondsSince1970: Double) { self.secondsSince1970 = secondsSince1970 }
    public init(_ date: Date) { self.secondsSince1970 = date.timeIntervalSince1970 }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.secondsSince1970 < rhs.secondsSince1970 }
    public static func + (lhs: Timestamp, seconds: Double) -> Timestamp {
        Timestamp(secondsSince1970: lhs.secondsSince1970 + seconds)
    }
    public static func - (lhs: Timestamp, rhs: Timestamp) -> Double { lhs.secondsSince1970 - rhs.secondsSince1970 }

    public var description: String { rfc3339 }

    /// `2026-11-24T07:36:11Z`.
    public var rfc3339: String { UTCTime(secondsSince1970: Int64(secondsSince1970.rounded(.down))).rfc3339() }

    /// Parses RFC 3339 with `Z` or a numeric offset and optional fractional seconds.
    public init?(rfc3339 text: String) {
        guard let time = UTCTime(rfc3339: text) else { return nil }
        secondsSince1970 = Double(time.secondsSince1970) + Double(time.nanoseconds) / 1e9
    }
}
