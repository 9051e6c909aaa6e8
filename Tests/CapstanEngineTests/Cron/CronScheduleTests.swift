import Foundation
import Testing
import CapstanAPI
@testable import CapstanEngine

/// The cron parser and next-time computation, as Vixie cron reads a schedule, in UTC and in
/// zones with daylight saving.
@Suite struct CronScheduleTests {
    static func seconds(_ text: String) -> Int64 { Int64(Timestamp(rfc3339: text)!.secondsSince1970) }
    static func text(_ seconds: Int64?) -> String? { seconds.map { Timestamp(secondsSince1970: Double($0)).rfc3339 } }

    static func next(_ schedule: String, after: String, zone: String = "UTC") throws -> String? {
        let parsed = try CronSchedule(parsing: schedule)
        return text(parsed.next(after: seconds(after), in: try #require(TimeZone(identifier: zone))))
    }

    @Test(arguments: [
        ("* * * *", "has 4 fields; a schedule has five"),
        ("60 * * * *", "minute \"60\": 60 is out of range 0-59"),
        ("* 24 * * *", "hour \"24\": 24 is out of range 0-23"),
        ("* * 0 * *", "day-of-month \"0\": 0 is out of range 1-31"),
        ("* * * FOO *", "month \"FOO\": \"FOO\" is not a number or a name such as FEB"),
        ("* * * * 8", "day-of-week \"8\": 8 is out of range 0-7"),
        ("*/0 * * * *", "the step after / must be a whole number above 0"),
        ("5-1 * * * *", "the range runs backwards"),
        ("1,,2 * * * *", "minute \"\""),
        ("@every 5m", "unknown macro \"@every 5m\""),
        ("0 0 30 2 *", "never runs"),
    ])
    func refusesWithAReason(schedule: String, message: String) {
        #expect {
            try CronSchedule(parsing: schedule)
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test(arguments: [
        ("* * * * *", "2026-01-01T00:00:30Z", "2026-01-01T00:01:00Z"),
        ("0 * * * *", "2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z"),
        ("*/15 9-17 * * MON-FRI", "2026-01-02T17:50:00Z", "2026-01-05T09:00:00Z"),
        ("5/20 * * * *", "2026-01-01T00:06:00Z", "2026-01-01T00:25:00Z"),
        ("10-50/20 * * * *", "2026-01-01T00:31:00Z", "2026-01-01T00:50:00Z"),
        ("0 0 1 jan,jul *", "2026-02-01T00:00:00Z", "2026-07-01T00:00:00Z"),
        ("0 12 * * 7", "2026-01-01T00:00:00Z", "2026-01-04T12:00:00Z"),
        ("0 0 * * FRI-SUN", "2026-01-04T00:00:00Z", "2026-01-09T00:00:00Z"),
        ("0 0 * * 0-7", "2026-01-04T00:00:00Z", "2026-01-05T00:00:00Z"),
        ("0 0 29 2 *", "2026-03-01T00:00:00Z", "2028-02-29T00:00:00Z"),
        // Vixie cron: both day fields restricted, so either matching is enough.
        ("0 0 13 * FRI", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"),
        ("0 0 13 * FRI", "2026-01-12T00:00:00Z", "2026-01-13T00:00:00Z"),
        // A day-of-week starting with * leaves the choice to day-of-month and itself together.
        ("0 0 13 * */3", "2026-01-01T00:00:00Z", "2026-05-13T00:00:00Z"),
        ("@hourly", "2026-01-01T00:59:59Z", "2026-01-01T01:00:00Z"),
        ("@daily", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"),
        ("@midnight", "2026-01-01T23:59:00Z", "2026-01-02T00:00:00Z"),
        ("@weekly", "2026-01-01T00:00:00Z", "2026-01-04T00:00:00Z"),
        ("@monthly", "2026-01-15T00:00:00Z", "2026-02-01T00:00:00Z"),
        ("@yearly", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"),
        ("@annually", "2025-12-31T23:59:59Z", "2026-01-01T00:00:00Z"),
    ])
    func nextTimeInUTC(schedule: String, after: String, expected: String) throws {
        #expect(try Self.next(schedule, after: after) == expected)
    }

    @Test(arguments: [
        // Spring forward in New York (8 March 2026, 02:00 EST → 03:00 EDT): 02:30 does not
        // exist that night and is skipped.
        ("30 2 * * *", "2026-03-07T12:00:00Z", "America/New_York", "2026-03-09T06:30:00Z"),
        ("30 3 * * *", "2026-03-07T12:00:00Z", "America/New_York", "2026-03-08T07:30:00Z"),
        // Fall back (1 November 2026, 02:00 EDT → 01:00 EST): 01:30 exists twice and runs once,
        // at the first; a query from the first 01:30 goes to the next day's.
        ("30 1 * * *", "2026-11-01T04:00:00Z", "America/New_York", "2026-11-01T05:30:00Z"),
        ("30 1 * * *", "2026-11-01T05:30:00Z", "America/New_York", "2026-11-02T06:30:00Z"),
        // Every minute: the repeated hour's minutes have run already; 02:00 EST comes next.
        ("* * * * *", "2026-11-01T05:59:00Z", "America/New_York", "2026-11-01T07:00:00Z"),
        ("* * * * *", "2026-11-01T06:10:00Z", "America/New_York", "2026-11-01T07:00:00Z"),
        ("0 9 * * *", "2026-07-01T00:00:00Z", "Europe/Paris", "2026-07-01T07:00:00Z"),
        ("0 9 * * *", "2026-12-01T00:00:00Z", "Europe/Paris", "2026-12-01T08:00:00Z"),
        ("0 0 * * *", "2026-01-01T00:00:00Z", "Asia/Kolkata", "2026-01-01T18:30:00Z"),
    ])
    func nextTimeInAZoneWithDaylightSaving(schedule: String, after: String, zone: String, expected: String) throws {
        #expect(try Self.next(schedule, after: after, zone: zone) == expected)
    }

    @Test func weekdaysCountFromSunday() {
        #expect(WallClock.weekday(ofDay: 0) == 4)
        #expect(WallClock.weekday(ofDay: -1) == 3)
        #expect(WallClock.weekday(ofDay: 3) == 0)
    }

    @Test func missedRunsRunOnlyTheMostRecentAndCountTooMany() throws {
        let everyMinute = try CronSchedule(parsing: "* * * * *")
        let utc = try #require(TimeZone(identifier: "UTC"))
        let now = Self.seconds("2026-01-01T12:00:30Z")
        let few = try #require(MissedRuns.find(everyMinute, in: utc, after: now - 600, notAfter: now))
        #expect(Self.text(few.latest) == "2026-01-01T12:00:00Z" && !few.tooMany)
        let many = try #require(MissedRuns.find(everyMinute, in: utc, after: now - 200 * 60, notAfter: now))
        #expect(Self.text(many.latest) == "2026-01-01T12:00:00Z" && many.tooMany)
        let hourly = try CronSchedule(parsing: "@hourly")
        let years = try #require(MissedRuns.find(hourly, in: utc, after: now - 3 * 366 * 86_400, notAfter: now))
        #expect(Self.text(years.latest) == "2026-01-01T12:00:00Z" && years.tooMany)
        #expect(MissedRuns.find(hourly, in: utc, after: now - 20, notAfter: now) == nil)
    }
}
