import Foundation

/// A parsed cron schedule: five fields (minute hour day-of-month month day-of-week) or a
/// macro. Which times it names is `CronSchedule+Next.swift`.
public struct CronSchedule: Sendable, Hashable {
    let minute: CronField
    let hour: CronField
    let dayOfMonth: CronField
    let month: CronField
    let dayOfWeek: CronField

    /// The macros Vixie cron knows, as five fields. `@reboot` has no meaning for a cluster
    /// object and `@every` is not cron syntax; both are refused.
    static let macros: [String: String] = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]

    public init(parsing text: String) throws(CronError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var fieldsText = trimmed
        if trimmed.hasPrefix("@") {
            guard let expansion = Self.macros[trimmed.lowercased()] else {
                throw CronError("unknown macro \"\(trimmed)\": use one of \(Self.macros.keys.sorted().joined(separator: ", "))")
            }
            fieldsText = expansion
        }
        let fields = fieldsText.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count == 5 else {
            throw CronError("\"\(text)\" has \(fields.count) fields; a schedule has five: minute hour day-of-month month day-of-week")
        }
        minute = try CronField(fields[0], kind: .minute)
        hour = try CronField(fields[1], kind: .hour)
        dayOfMonth = try CronField(fields[2], kind: .dayOfMonth)
        month = try CronField(fields[3], kind: .month)
        dayOfWeek = try CronField(fields[4], kind: .dayOfWeek)
        // With a starred day-of-week only day-of-month picks days; otherwise weekdays always come.
        if dayOfWeek.isStar { try checkSomeMonthHasTheDay(text) }
    }

    /// Vixie cron's rule: when both day fields are restricted (neither starts with `*`), a
    /// day matches if either does; otherwise both must (and the starred one always does).
    func matches(dayOfMonth day: Int, month: Int, weekday: Int) -> Bool {
        guard self.month.contains(month) else { return false }
        if dayOfMonth.isStar || dayOfWeek.isStar {
            return dayOfMonth.contains(day) && dayOfWeek.contains(weekday)
        }
        return dayOfMonth.contains(day) || dayOfWeek.contains(weekday)
    }

    /// `0 0 30 2 *` is valid syntax but never runs; say so rather than wait forever.
    private func checkSomeMonthHasTheDay(_ text: String) throws(CronError) {
        let longest = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        let possible = month.values.contains { m in dayOfMonth.values.contains { $0 <= longest[m - 1] } }
        if !possible { throw CronError("\"\(text)\" never runs: no month it names has the day it names") }
    }
}
