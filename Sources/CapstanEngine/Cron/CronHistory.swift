import CapstanAPI

/// Which finished runs are deleted: all but the newest `successfulHistoryLimit` that
/// succeeded and the newest `failedHistoryLimit` that failed or were aborted, newest by
/// finish time (then by name, which orders runs by scheduled time).
enum CronHistory {
    static func deletions(_ runs: [ObservedRun], successfulLimit: Int, failedLimit: Int) -> [CronAction] {
        let finished = runs.filter { $0.phase.isTerminal && !$0.isDeleting }
        let succeeded = finished.filter { $0.phase == .succeeded }
        let failed = finished.filter { $0.phase != .succeeded }
        return (beyond(successfulLimit, of: succeeded) + beyond(failedLimit, of: failed))
            .map { .deleteRun(name: $0.name, reason: .history) }
    }

    private static func beyond(_ limit: Int, of runs: [ObservedRun]) -> [ObservedRun] {
        let newestFirst = runs.sorted { a, b in
            let (aTime, bTime) = (a.finishedAt?.secondsSince1970 ?? 0, b.finishedAt?.secondsSince1970 ?? 0)
            return aTime != bTime ? aTime > bTime : a.name > b.name
        }
        return Array(newestFirst.dropFirst(limit)).sorted { $0.name < $1.name }
    }
}
