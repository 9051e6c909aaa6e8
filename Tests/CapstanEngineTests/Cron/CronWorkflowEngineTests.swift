import Foundation
import Testing
import CapstanAPI
@testable import CapstanEngine

/// The CronWorkflow decision as tables: given the spec, the status, the runs and the time,
/// which runs are created and deleted, what the status says, and when to look again.
@Suite struct CronWorkflowEngineTests {
    static func at(_ text: String) -> Timestamp { Timestamp(rfc3339: text)! }
    static func runName(_ time: String) -> String { "nightly-\(Int64(at(time).secondsSince1970) / 60)" }

    /// A CronWorkflow `nightly` created at `created` with `fields` over a one-node spec.
    struct Case {
        var spec: JSONValue
        var metadata: ObjectMeta
        var status = CronWorkflowStatus()
        var runs: [ObservedRun] = []

        init(_ fields: [String: JSONValue], created: String = "2026-01-01T10:00:30Z") {
            var spec = fields
            spec["workflowSpec"] = spec["workflowSpec"] ?? ["nodes": [["name": "a", "image": "busybox"]]]
            self.spec = .object(spec)
            metadata = ObjectMeta(name: "nightly", namespace: "ml", uid: "uid-1", creationTimestamp: CronWorkflowEngineTests.at(created))
        }

        func step(at now: String) -> CronStepResult {
            CronWorkflowEngine.step(CronStepInput(
                metadata: metadata, compiled: CronCompiler.compile(spec), status: status, runs: runs, now: CronWorkflowEngineTests.at(now)))
        }
    }

    static func created(_ result: CronStepResult) -> [String] {
        result.actions.compactMap { if case .createRun(let name, _) = $0 { return name } else { return nil } }
    }

    static func deleted(_ result: CronStepResult) -> [String] {
        result.actions.compactMap { if case .deleteRun(let name, _) = $0 { return name } else { return nil } }
    }

    static func events(_ result: CronStepResult) -> [String] {
        result.actions.compactMap { if case .recordEvent(let event) = $0 { return event.reason } else { return nil } }
    }

    /// The scheduled time of the creation minute counts: created at 10:00:30, a schedule of
    /// every minute runs 10:00's run at once, then looks again at 10:01.
    @Test func aNewCronWorkflowRunsTheTimeOfItsCreationMinuteAtOnce() throws {
        let result = Case(["schedule": "* * * * *"]).step(at: "2026-01-01T10:00:31Z")
        let name = Self.runName("2026-01-01T10:00:00Z")
        #expect(Self.created(result) == [name])
        #expect(result.status.lastScheduleTime == Self.at("2026-01-01T10:00:00Z"))
        #expect(result.status.active == [name])
        #expect(result.requeueAfter == 29)
        #expect(result.status.condition("Ready")?.message == "next run at 2026-01-01T10:01:00Z")
        #expect(Self.events(result) == ["RunCreated"])

        guard case .createRun(_, let manifest)? = result.actions.first else { Issue.record("no create"); return }
        #expect(manifest["metadata"]?["namespace"] == "ml")
        #expect(manifest["metadata"]?["labels"]?["capstan.dev/cron"] == "nightly")
        #expect(manifest["metadata"]?["annotations"]?["capstan.dev/scheduled-time"] == "2026-01-01T10:00:00Z")
        #expect(manifest["metadata"]?["ownerReferences"] == [[
            "apiVersion": "capstan.dev/v1alpha1", "kind": "CronWorkflow", "name": "nightly", "uid": "uid-1",
            "controller": true, "blockOwnerDeletion": true,
        ]])
        #expect(manifest["spec"] == ["nodes": [["name": "a", "image": "busybox"]]])
        #expect(manifest["kind"] == "Workflow")
    }

    @Test(arguments: [
        // Created in the scheduled minute: runs. Created after it: waits for tomorrow.
        ("0 10 * * *", "2026-01-01T10:00:30Z", "2026-01-01T10:00:40Z", true, 86_400.0 - 40),
        ("0 10 * * *", "2026-01-01T10:01:00Z", "2026-01-01T10:01:05Z", false, 86_400.0 - 65),
        ("@hourly", "2026-01-01T10:30:00Z", "2026-01-01T10:30:01Z", false, 1799.0),
    ])
    func creationMinuteRule(schedule: String, created: String, now: String, runs: Bool, requeue: Double) {
        let result = Case(["schedule": .string(schedule)], created: created).step(at: now)
        #expect(Self.created(result).count == (runs ? 1 : 0))
        #expect(result.requeueAfter == requeue)
    }

    @Test func aRunAlreadyScheduledIsNotCreatedAgain() {
        var cron = Case(["schedule": "* * * * *"])
        cron.status.lastScheduleTime = Self.at("2026-01-01T10:00:00Z")
        let result = cron.step(at: "2026-01-01T10:00:45Z")
        #expect(Self.created(result).isEmpty && result.requeueAfter == 15)
    }

    /// A status write lost after the create: the run is there, so only the status catches up.
    @Test func aRunThatExistsIsRecordedNotCreated() {
        var cron = Case(["schedule": "* * * * *"])
        cron.runs = [ObservedRun(name: Self.runName("2026-01-01T10:00:00Z"), phase: .running)]
        let result = cron.step(at: "2026-01-01T10:00:45Z")
        #expect(Self.created(result).isEmpty)
        #expect(result.status.lastScheduleTime == Self.at("2026-01-01T10:00:00Z"))
        #expect(result.status.active == [Self.runName("2026-01-01T10:00:00Z")])
    }

    @Test func ofManyMissedTimesOnlyTheMostRecentRuns() {
        var cron = Case(["schedule": "* * * * *"])
        cron.status.lastScheduleTime = Self.at("2026-01-01T10:00:00Z")
        let result = cron.step(at: "2026-01-01T10:05:10Z")
        #expect(Self.created(result) == [Self.runName("2026-01-01T10:05:00Z")])
        #expect(!Self.events(result).contains("TooManyMissedTimes"))
    }

    @Test func moreThanAHundredMissedTimesWarnAndStillRunTheLatest() {
        var cron = Case(["schedule": "* * * * *"])
        cron.status.lastScheduleTime = Self.at("2026-01-01T10:00:00Z")
        let result = cron.step(at: "2026-01-01T12:00:05Z")
        #expect(Self.created(result) == [Self.runName("2026-01-01T12:00:00Z")])
        #expect(Self.events(result) == ["TooManyMissedTimes", "RunCreated"])
    }

    @Test(arguments: [
        ("2026-01-01T10:05:20Z", true),
        ("2026-01-01T10:05:30Z", true),
        ("2026-01-01T10:05:40Z", false),
    ])
    func aRunLaterThanTheStartingDeadlineIsSkipped(now: String, runs: Bool) {
        var cron = Case(["schedule": "*/5 * * * *", "startingDeadline": "30s"])
        cron.status.lastScheduleTime = Self.at("2026-01-01T10:00:00Z")
        let result = cron.step(at: now)
        #expect(Self.created(result) == (runs ? [Self.runName("2026-01-01T10:05:00Z")] : []))
        #expect(result.status.lastScheduleTime == Self.at(runs ? "2026-01-01T10:05:00Z" : "2026-01-01T10:00:00Z"))
    }

    /// Every minute under `policy`, 10:00's run still running.
    static func withTenOClockRunActive(_ policy: String) -> (cron: Case, first: String) {
        var cron = Case(["schedule": "* * * * *", "concurrencyPolicy": .string(policy)])
        cron.status.lastScheduleTime = at("2026-01-01T10:00:00Z")
        let first = runName("2026-01-01T10:00:00Z")
        cron.runs = [ObservedRun(name: first, phase: .running)]
        return (cron, first)
    }

    @Test func forbidWaitsWhileARunIsActive() {
        var (cron, first) = Self.withTenOClockRunActive("Forbid")
        let waiting = cron.step(at: "2026-01-01T10:01:02Z")
        #expect(Self.created(waiting).isEmpty)
        #expect(waiting.status.lastScheduleTime == Self.at("2026-01-01T10:00:00Z"))
        #expect(waiting.status.condition("Ready")?.reason == "Waiting")
        #expect(waiting.status.condition("Ready")?.message.contains("waits for \(first) to finish") == true)
        #expect(Self.events(waiting) == ["AlreadyActive"], "an Event says why no run started")
        // The next look within the same minute records nothing new; the next minute's time does.
        cron.status = waiting.status
        #expect(Self.events(cron.step(at: "2026-01-01T10:01:40Z")).isEmpty)
        #expect(Self.events(cron.step(at: "2026-01-01T10:02:01Z")) == ["AlreadyActive"])

        // It finishes within the minute: the waiting run starts then.
        cron.runs = [ObservedRun(name: first, phase: .succeeded, finishedAt: Self.at("2026-01-01T10:01:20Z"))]
        let started = cron.step(at: "2026-01-01T10:01:21Z")
        #expect(Self.created(started) == [Self.runName("2026-01-01T10:01:00Z")])
        #expect(started.status.lastSuccessfulTime == Self.at("2026-01-01T10:01:20Z"))
    }

    @Test func replaceDeletesTheActiveRunsBeforeCreating() {
        let (cron, first) = Self.withTenOClockRunActive("Replace")
        let result = cron.step(at: "2026-01-01T10:01:02Z")
        let second = Self.runName("2026-01-01T10:01:00Z")
        #expect(result.actions.prefix(2).map { action -> String in
            switch action {
            case .deleteRun(let name, let reason): return "delete \(name) \(reason.rawValue)"
            case .createRun(let name, _): return "create \(name)"
            case .recordEvent(let event): return event.reason
            }
        } == ["delete \(first) Replaced", "create \(second)"])
        #expect(result.status.active == [second])
    }

    @Test func allowLetsRunsOverlap() {
        let (cron, first) = Self.withTenOClockRunActive("Allow")
        let result = cron.step(at: "2026-01-01T10:01:02Z")
        #expect(result.status.active == [first, Self.runName("2026-01-01T10:01:00Z")])
    }

    @Test func suspendCreatesNothingAndWaitsForAChange() {
        let result = Case(["schedule": "* * * * *", "suspend": true]).step(at: "2026-01-01T10:00:31Z")
        #expect(Self.created(result).isEmpty && result.requeueAfter == nil && result.status.lastScheduleTime == nil)
        #expect(result.status.condition("Ready")?.reason == "Suspended")
    }

    @Test func historyLimitsKeepTheNewestFinishedRuns() {
        var cron = Case(["schedule": "@daily", "successfulHistoryLimit": 2, "failedHistoryLimit": 1], created: "2025-12-01T00:00:30Z")
        cron.status.lastScheduleTime = Self.at("2026-01-01T00:00:00Z")
        func run(_ day: Int, _ phase: WorkflowPhase, deleting: Bool = false) -> ObservedRun {
            ObservedRun(name: "nightly-\(day)", phase: phase, finishedAt: Self.at("2026-01-01T00:00:00Z") + Double(day), isDeleting: deleting)
        }
        cron.runs = [run(1, .succeeded), run(2, .failed), run(3, .succeeded), run(4, .aborted), run(5, .succeeded),
                     run(6, .running), run(7, .failed), run(8, .succeeded, deleting: true)]
        let result = cron.step(at: "2026-01-01T10:00:00Z")
        #expect(Self.deleted(result) == ["nightly-1", "nightly-2", "nightly-4"])
        #expect(result.status.active == ["nightly-6"])
        #expect(result.status.lastSuccessfulTime == Self.at("2026-01-01T00:00:00Z") + 8)
        #expect(Self.created(result).isEmpty)
    }

    @Test func anInvalidSpecSaysWhyOnce() {
        var cron = Case(["schedule": "every day"])
        let first = cron.step(at: "2026-01-01T10:00:31Z")
        let ready = first.status.condition("Ready")
        #expect(ready?.status == false && ready?.reason == "InvalidSpec")
        #expect(ready?.message.contains("spec.schedule") == true)
        #expect(Self.events(first) == ["InvalidSpec"] && first.requeueAfter == nil && Self.created(first).isEmpty)
        cron.status = first.status
        #expect(Self.events(cron.step(at: "2026-01-01T10:05:00Z")).isEmpty)
    }

    @Test func theScheduleIsReadInItsTimeZone() {
        let result = Case(["schedule": "0 9 * * *", "timezone": "Europe/Paris"], created: "2026-07-01T06:59:00Z")
            .step(at: "2026-07-01T07:00:00Z")
        #expect(Self.created(result) == [Self.runName("2026-07-01T07:00:00Z")])
        #expect(result.requeueAfter == 86_400)
    }
}
