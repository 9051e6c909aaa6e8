import CapstanAPI
import Foundation
import Testing
import TestSupport

/// CronWorkflows on `capstan sim` with `capstan run`. No test waits for a minute to pass: a
/// CronWorkflow created now with `* * * * *` has a scheduled time in the minute it was
/// created in, and the controller runs that time at once (docs/cron.md, "Missed runs").
/// Timeouts are generous: a loaded machine may take a while to start a pod.
@Suite struct CronEndToEndTests {
    static let selector = "\(CronWorkflow.runLabel)="

    @Test func aRunStartsAtOnceLabelledOwnedAndReportedInTheStatus() async throws {
        let (sim, namespace) = try await EndToEndCluster.shared.namespace("cron")
        try await sim.apply(kind: "CronWorkflow", "every-minute", namespace: namespace, spec: """
            schedule: "* * * * *"
            workflowSpec:
              defaults: {image: busybox}
              nodes:
                - {name: gate, approval: {message: "Run it?"}}
                - {name: hello, dependsOn: [gate]}
            """)
        let cron = try await sim.object("cronworkflow", "every-minute", namespace: namespace)
        let uid = try #require(cron["metadata"]?["uid"]?.stringValue)
        let created = try #require(cron["metadata"]?["creationTimestamp"]?.stringValue.flatMap(Timestamp.init(rfc3339:)))
        let creationMinute = Int(created.secondsSince1970) / 60

        let runs = try await poll(timeout: .seconds(90), interval: .milliseconds(250)) {
            let runs = try await sim.list("workflows", namespace: namespace, selector: Self.selector + "every-minute")
            return runs.isEmpty ? nil : runs
        }
        let run = try #require(runs?.min { ($0["metadata"]?["name"]?.stringValue ?? "") < ($1["metadata"]?["name"]?.stringValue ?? "") })
        let name = try #require(run["metadata"]?["name"]?.stringValue)
        let minute = try #require(Int(name.dropFirst("every-minute-".count)))
        // The creation minute's run, unless a slow first reconcile came a minute later.
        #expect(name.hasPrefix("every-minute-") && (creationMinute...creationMinute + 1).contains(minute),
                "\(name) for a CronWorkflow created at \(created)")
        #expect(run["metadata"]?["labels"]?[CronWorkflow.runLabel] == "every-minute")
        let owner = run["metadata"]?["ownerReferences"]?[0]
        #expect(owner?["kind"] == "CronWorkflow" && owner?["uid"]?.stringValue == uid)
        #expect(owner?["controller"] == true && owner?["blockOwnerDeletion"] == true)
        #expect(run["spec"]?["nodes"]?[1]?["name"] == "hello")

        // While it runs (held at its approval gate, so even a slow machine sees it), the
        // status names it; once it succeeded, it says when.
        let scheduled = Timestamp(secondsSince1970: Double(minute * 60)).rfc3339
        let activeSeen = try await eventually(timeout: .seconds(60), interval: .milliseconds(250)) {
            CronWorkflowStatus(json: try await sim.object("cronworkflow", "every-minute", namespace: namespace)["status"])
                .active.contains(name)
        }
        #expect(activeSeen, "the status listed \(name) as active while it ran")
        let approved = try await ProcessRunner.run(try CapstanBinary.path(), ["approve", name, "gate", "-n", namespace, "--kubeconfig", sim.kubeconfigPath])
        #expect(approved.exitCode == 0, "\(approved)")
        #expect(try await sim.waitForWorkflow(name, namespace: namespace, timeout: 120).phase == .succeeded)
        let finished = try await poll(timeout: .seconds(60), interval: .milliseconds(250)) { () async throws -> CronWorkflowStatus? in
            let status = CronWorkflowStatus(json: try await sim.object("cronworkflow", "every-minute", namespace: namespace)["status"])
            return status.lastSuccessfulTime != nil && !status.active.contains(name) ? status : nil
        }
        let status = try #require(finished, "lastSuccessfulTime set and \(name) no longer active")
        #expect(status.lastScheduleTime.map { $0.rfc3339 >= scheduled } == true)

        let table = try await sim.kubectl("get", "ccwf", "-n", namespace)
        #expect(table.exitCode == 0, "\(table)")
        let header = table.stdout.split(separator: "\n").first.map(String.init) ?? ""
        for column in ["NAME", "SCHEDULE", "SUSPEND", "LAST SCHEDULE", "ACTIVE", "AGE"] {
            #expect(header.contains(column), "kubectl get ccwf: \(table.stdout)")
        }
        #expect(table.stdout.contains("every-minute") && table.stdout.contains("* * * * *") && table.stdout.contains("false"))

        // Owned: deleting the CronWorkflow deletes its runs.
        #expect(try await sim.kubectl("delete", "cronworkflow", "every-minute", "-n", namespace).exitCode == 0)
        let gone = try await eventually(timeout: .seconds(60), interval: .milliseconds(250)) {
            try await sim.list("workflows", namespace: namespace, selector: Self.selector + "every-minute").isEmpty
        }
        #expect(gone, "the runs were deleted with their CronWorkflow")
    }

    /// With history limits of 0 a run is deleted as soon as it finished, which shows the
    /// limits work without waiting for several minutes of runs.
    @Test func historyLimitsDeleteFinishedRuns() async throws {
        let (sim, namespace) = try await EndToEndCluster.shared.namespace("cron-history")
        try await sim.apply(kind: "CronWorkflow", "keeps-no-success", namespace: namespace, spec: """
            schedule: "* * * * *"
            successfulHistoryLimit: 0
            workflowSpec:
              defaults: {image: busybox}
              nodes: [{name: ok}]
            """)
        try await sim.apply(kind: "CronWorkflow", "keeps-no-failure", namespace: namespace, spec: """
            schedule: "* * * * *"
            failedHistoryLimit: 0
            workflowSpec:
              defaults: {image: busybox}
              nodes: [{name: fails, podMetadata: {annotations: {sim.capstan.dev/exit-code: "3"}}}]
            """)
        for (cron, succeeds) in [("keeps-no-success", true), ("keeps-no-failure", false)] {
            let done = try await eventually(timeout: .seconds(120), interval: .milliseconds(500)) {
                let status = CronWorkflowStatus(json: try await sim.object("cronworkflow", cron, namespace: namespace)["status"])
                let runs = try await sim.list("workflows", namespace: namespace, selector: Self.selector + cron)
                // Scheduled, finished (no longer active) and deleted.
                return status.lastScheduleTime != nil && status.active.isEmpty && runs.isEmpty
                    && (status.lastSuccessfulTime != nil) == succeeds
            }
            #expect(done, "\(cron): its finished run was deleted")
            #expect(try await sim.kubectl("delete", "cronworkflow", cron, "-n", namespace).exitCode == 0)
        }
    }

    /// With `Forbid`, the next minute's time comes while the first run waits at its approval
    /// gate: no second run, an `AlreadyActive` Event; once the first is approved and done, the
    /// waiting time runs. This test waits for one minute boundary to pass.
    @Test func forbidHoldsTheNextRunWhileOneIsActive() async throws {
        let (sim, namespace) = try await EndToEndCluster.shared.namespace("cron-forbid")
        try await sim.apply(kind: "CronWorkflow", "one-at-a-time", namespace: namespace, spec: """
            schedule: "* * * * *"
            concurrencyPolicy: Forbid
            workflowSpec:
              defaults: {image: busybox}
              nodes: [{name: gate, approval: {message: "Go on?"}}, {name: work, dependsOn: [gate]}]
            """)
        let runs = { () async throws -> [String] in
            try await sim.list("workflows", namespace: namespace, selector: Self.selector + "one-at-a-time")
                .compactMap { $0["metadata"]?["name"]?.stringValue }.sorted()
        }
        let first = try #require(try await poll(timeout: .seconds(90), interval: .milliseconds(250)) { try await runs().first })

        let held = try await eventually(timeout: .seconds(100), interval: .milliseconds(500)) {
            try await sim.list("events", namespace: namespace).contains {
                $0["reason"] == "AlreadyActive" && $0["involvedObject"]?["name"] == "one-at-a-time"
                    && $0["message"]?.stringValue?.contains("\(first) is still running and concurrencyPolicy is Forbid") == true
            }
        }
        #expect(held, "an AlreadyActive Event once the next minute came")
        #expect(try await runs() == [first], "no second run while the first is active")
        let ready = CronWorkflowStatus(json: try await sim.object("cronworkflow", "one-at-a-time", namespace: namespace)["status"]).condition("Ready")
        #expect(ready?.reason == "Waiting" && ready?.message.contains("waits for \(first) to finish (concurrencyPolicy Forbid)") == true,
                "\(String(describing: ready))")

        let approved = try await ProcessRunner.run(try CapstanBinary.path(), ["approve", first, "gate", "-n", namespace, "--kubeconfig", sim.kubeconfigPath])
        #expect(approved.exitCode == 0, "\(approved)")
        let both = try await poll(timeout: .seconds(90), interval: .milliseconds(250)) { () async throws -> [String]? in
            let names = try await runs()
            return names.count >= 2 ? names : nil
        }
        #expect(both?.first == first && both?.count == 2, "the held time ran once the first finished: \(String(describing: both))")
        #expect(try await sim.kubectl("delete", "cronworkflow", "one-at-a-time", "-n", namespace).exitCode == 0)
    }

    @Test func aSuspendedOrInvalidCronWorkflowCreatesNothingAndSaysWhy() async throws {
        let (sim, namespace) = try await EndToEndCluster.shared.namespace("cron-idle")
        let workflowSpec = "workflowSpec: {defaults: {image: busybox}, nodes: [{name: a}]}"
        try await sim.apply(kind: "CronWorkflow", "suspended", namespace: namespace, spec: "schedule: \"* * * * *\"\nsuspend: true\n\(workflowSpec)")
        try await sim.apply(kind: "CronWorkflow", "martian", namespace: namespace, spec: "schedule: \"* * * * *\"\ntimezone: Mars/Olympus\n\(workflowSpec)")
        for (cron, reason, message) in [("suspended", "Suspended", "suspended"), ("martian", "InvalidSpec", "unknown time zone \"Mars/Olympus\"")] {
            let ready = try await poll(timeout: .seconds(60), interval: .milliseconds(250)) { () async throws -> StatusCondition? in
                let status = CronWorkflowStatus(json: try await sim.object("cronworkflow", cron, namespace: namespace)["status"])
                return status.condition("Ready")
            }
            #expect(ready?.reason == reason && ready?.message.contains(message) == true, "\(cron): \(String(describing: ready))")
        }
        #expect(try await sim.list("workflows", namespace: namespace).isEmpty)
    }
}
