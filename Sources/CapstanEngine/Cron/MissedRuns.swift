import Foundation

/// Which scheduled time is due now, by the Kubernetes CronJob controller's rules: of the times
/// that passed since the last run, only the most recent runs; more than `tooManyLimit` of
/// them is worth a warning (a controller down for long, or a clock far off) but the most
/// recent still runs.
struct MissedRuns: Sendable, Hashable {
    /// CronJob's number: more than an hourly schedule misses over a long weekend.
    static let tooManyLimit = 100

    /// The most recent scheduled time in (`after`, `notAfter`].
    let latest: Int64
    /// More than `tooManyLimit` times passed in that span.
    let tooMany: Bool

    /// Nil when no scheduled time falls in (`after`, `notAfter`].
    static func find(_ schedule: CronSchedule, in zone: TimeZone, after: Int64, notAfter now: Int64) -> MissedRuns? {
        guard var latest = schedule.next(after: after, in: zone), latest <= now else { return nil }
        var count = 1
        while let later = schedule.next(after: latest, in: zone), later <= now {
            latest = later
            count += 1
            if count > tooManyLimit { break }
        }
        if count <= tooManyLimit { return MissedRuns(latest: latest, tooMany: false) }
        // Walking every missed time of years could take long: look back from now over ever
        // wider spans instead; the first span holding a scheduled time holds the latest.
        for span: Int64 in [3600, 86_400, 32 * 86_400, 367 * 86_400, searchSpan] {
            guard var recent = schedule.next(after: max(after, now - span), in: zone), recent <= now else { continue }
            while let later = schedule.next(after: recent, in: zone), later <= now { recent = later }
            return MissedRuns(latest: recent, tooMany: true)
        }
        return MissedRuns(latest: latest, tooMany: true)
    }

    private static let searchSpan = CronSchedule.searchDays * 86_400
}
