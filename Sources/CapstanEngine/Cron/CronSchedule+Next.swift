import CapstanSupport
import Foundation

extension CronSchedule {
    /// How far ahead `next` looks before deciding a schedule never runs again: `0 0 29 2 *`
    /// waits up to eight years (2096 to 2104, as 2100 is not a leap year).
    static let searchDays: Int64 = 366 * 8 + 2

    /// The first time after `instant` (Unix seconds) that the schedule names, read on the
    /// wall clock of `zone`; nil if none comes within `searchDays`.
    ///
    /// Daylight saving: a wall-clock time the clocks jump over does not exist and is skipped
    /// (a `30 2 * * *` run does not happen on the spring-forward night in Europe or the US); a
    /// wall-clock time the clocks go back over exists twice and runs once, at the first.
    public func next(after instant: Int64, in zone: TimeZone) -> Int64? {
        let clock = WallClock(zone: zone)
        let start = (floorDivide(clock.local(instant), 60) + 1) * 60
        let firstDay = floorDivide(start, 86_400)
        let hours = hour.values, minutes = minute.values
        for dayNumber in firstDay..<(firstDay + Self.searchDays) {
            let date = UTCTime.civil(fromDays: dayNumber)
            guard matches(dayOfMonth: Int(date.day), month: Int(date.month), weekday: WallClock.weekday(ofDay: dayNumber)) else { continue }
            for h in hours {
                for m in minutes {
                    let local = dayNumber * 86_400 + Int64(h * 3600 + m * 60)
                    guard local >= start else { continue }
                    // After the clocks went back, `instant` may already be past the first of two
                    // instants: that one has run, and the second is the same wall-clock time again.
                    if let first = clock.instants(showing: local).first, first > instant { return first }
                }
            }
        }
        return nil
    }
}

func floorDivide(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : (a - b + 1) / b }
