import Foundation

/// Wall-clock times of one time zone as plain numbers: "local seconds" count from
/// 1970-01-01 00:00 as if the zone were UTC, so a calendar day is `local / 86_400`, its date
/// is `UTCTime.civil(fromDays:)`, and no Calendar or formatter is needed to walk a schedule. Turning a wall-clock time back into
/// instants is where daylight saving shows: a time may have no instant (the clocks jumped
/// over it) or two (the clocks went back over it).
struct WallClock: Sendable {
    let zone: TimeZone

    /// The wall-clock time at an instant (Unix seconds).
    func local(_ instant: Int64) -> Int64 {
        instant + Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant))))
    }

    /// Every instant showing `local` on this zone's clocks, earliest first: none in a gap,
    /// two in an overlap. The zone's offsets a day either side are the only ones a single
    /// transition can involve, and transitions are months apart.
    func instants(showing local: Int64) -> [Int64] {
        let offsets = Set([local - 86_400, local + 86_400].map {
            Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double($0))))
        })
        return offsets.map { local - $0 }.filter { self.local($0) == local }.sorted()
    }

    /// 0 for Sunday, as cron counts, of a day number (days since 1970-01-01, a Thursday).
    static func weekday(ofDay day: Int64) -> Int { Int(((day % 7) + 7 + 4) % 7) }
}
