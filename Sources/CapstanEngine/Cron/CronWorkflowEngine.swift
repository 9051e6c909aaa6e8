import CapstanAPI

/// The one place a CronWorkflow is decided: from its spec, its status, the runs it owns and
/// the time, which run to create, which runs to delete, and when to look again. No I/O and
/// no clock: the controller observes and carries out, the tests pass any time they like.
///
/// Which time is due follows the Kubernetes CronJob controller: of the scheduled times since
/// the last run (or, for a CronWorkflow that has not run yet, since the start of the minute
/// it was created in), only the most recent runs, and only if it is no more than
/// `startingDeadline` late. A time of the creation minute counts so that a CronWorkflow
/// created at 10:00:30 with `* * * * *` or `0 10 * * *` runs 10:00's run at once rather
/// than miss it by seconds.
public enum CronWorkflowEngine {
    public static func step(_ input: CronStepInput) -> CronStepResult {
        var status = input.status
        var actions: [CronAction] = []
        for run in input.runs where run.phase == .succeeded {
            if let finished = run.finishedAt, status.lastSuccessfulTime.map({ finished > $0 }) ?? true { status.lastSuccessfulTime = finished }
        }
        var active = Set(input.runs.filter { !$0.phase.isTerminal && !$0.isDeleting }.map(\.name))
        let compiled: CompiledCron
        switch input.compiled {
        case .failure(let error):
            let message = error.description
            if status.condition(CronReady.type)?.reason != CronReady.invalid || status.condition(CronReady.type)?.message != message {
                actions.append(.recordEvent(WorkflowEvent(.warning, reason: CronReady.invalid, message: message)))
            }
            status.active = active.sorted()
            CronReady.set(false, reason: CronReady.invalid, message: message, in: &status, input: input)
            return CronStepResult(status: status, actions: actions, requeueAfter: nil)
        case .success(let success):
            compiled = success
        }
        let spec = compiled.spec
        actions += CronHistory.deletions(input.runs, successfulLimit: spec.successfulHistoryLimit, failedLimit: spec.failedHistoryLimit)

        let now = Int64(input.now.secondsSince1970.rounded(.down))
        var waiting: String?
        if !spec.suspend, let due = MissedRuns.find(compiled.schedule, in: compiled.zone, after: earliest(input, spec: spec), notAfter: now) {
            let name = CronRunBuilder.name(cron: input.metadata.name, scheduled: due.latest)
            let scheduled = Timestamp(secondsSince1970: Double(due.latest))
            if input.runs.contains(where: { $0.name == name }) {
                // Created by an earlier reconcile whose status write was lost.
                status.lastScheduleTime = scheduled
            } else if spec.concurrencyPolicy == .forbid && !active.isEmpty {
                let running = active.sorted().joined(separator: ", ")
                let text = "the run scheduled for \(scheduled) waits for \(running) to finish (concurrencyPolicy Forbid)"
                // Once per scheduled time held back, as the CronJob controller's JobAlreadyActive;
                // the condition already says so when an earlier reconcile saw the same wait.
                if input.status.condition(CronReady.type)?.message.hasSuffix(text) != true {
                    actions.append(.recordEvent(WorkflowEvent(.normal, reason: "AlreadyActive", message:
                        "not starting the run scheduled for \(scheduled): \(running) is still running and concurrencyPolicy is Forbid; it starts once that finishes")))
                }
                waiting = text
            } else {
                if spec.concurrencyPolicy == .replace {
                    actions += active.sorted().map { .deleteRun(name: $0, reason: .replaced) }
                    active.removeAll()
                }
                if due.tooMany {
                    actions.append(.recordEvent(WorkflowEvent(.warning, reason: "TooManyMissedTimes", message:
                        "more than \(MissedRuns.tooManyLimit) scheduled times passed without a run; only the latest, \(scheduled), runs. Set or shorten startingDeadline, or check the clocks")))
                }
                let manifest = CronRunBuilder.manifest(name: name, cron: input.metadata, scheduled: due.latest, workflowSpec: spec.workflowSpec)
                actions.append(.createRun(name: name, manifest: manifest))
                actions.append(.recordEvent(WorkflowEvent(.normal, reason: "RunCreated", message: "created Workflow \(name) for \(scheduled)")))
                active.insert(name)
                status.lastScheduleTime = scheduled
            }
        }
        status.active = active.sorted()

        var requeueAfter: Double?
        var message: String
        if spec.suspend {
            message = "suspended: no run is created"
        } else if let next = compiled.schedule.next(after: now, in: compiled.zone) {
            requeueAfter = max(0, Double(next) - input.now.secondsSince1970)
            message = "next run at \(Timestamp(secondsSince1970: Double(next)))"
        } else {
            message = "the schedule names no later time"
        }
        if let waiting { message += "; " + waiting }
        CronReady.set(true, reason: spec.suspend ? "Suspended" : waiting == nil ? "Scheduled" : "Waiting", message: message, in: &status, input: input)
        return CronStepResult(status: status, actions: actions, requeueAfter: requeueAfter)
    }

    /// Scheduled times after this (Unix seconds) are candidates: after the last run, or from
    /// the start of the creation minute; never more than `startingDeadline` before now.
    static func earliest(_ input: CronStepInput, spec: CronWorkflowSpec) -> Int64 {
        let created = input.metadata.creationTimestamp ?? input.now
        var after = input.status.lastScheduleTime.map { Int64($0.secondsSince1970.rounded(.down)) }
            ?? floorDivide(Int64(created.secondsSince1970.rounded(.down)), 60) * 60 - 1
        if let deadline = spec.startingDeadline {
            after = max(after, Int64((input.now.secondsSince1970 - deadline.seconds).rounded(.up)) - 1)
        }
        return after
    }
}
