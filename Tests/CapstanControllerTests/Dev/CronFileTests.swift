import Foundation
import Testing
import TestSupport

/// CronWorkflow files offline: `capstan validate` checks them as the controller will, and
/// `capstan dev`, which runs one Workflow, refuses a schedule with a reason.
@Suite struct CronFileTests {
    static func capstan(_ arguments: [String]) async throws -> ProcessResult {
        try await ProcessRunner.run(try CapstanBinary.path(), arguments, timeout: 60)
    }

    @Test func theExampleIsValid() async throws {
        let result = try await Self.capstan(["validate", Dev.example("cron.yaml")])
        #expect(result.exitCode == 0 && result.stdout.contains("valid (1 cronworkflow, 2 nodes)"), "\(result)")
    }

    @Test func everyProblemIsReportedAtItsField() async throws {
        let file = try Dev.writeWorkflow("""
            apiVersion: capstan.dev/v1alpha1
            kind: CronWorkflow
            metadata: {name: nightly}
            spec:
              schedule: "0 25 * * *"
              timezone: Europe/Atlantis
              concurrencyPolicy: Sometimes
              workflowSpec:
                nodes: [{name: a}]
            """)
        let result = try await Self.capstan(["validate", file])
        #expect(result.exitCode == 1, "\(result)")
        for line in [
            "error: spec.schedule: hour \"25\": 25 is out of range 0-23",
            "error: spec.timezone: unknown time zone \"Europe/Atlantis\"",
            "error: spec.concurrencyPolicy: \"Sometimes\" is not one of Allow, Forbid, Replace",
            "error: spec.workflowSpec.nodes[0].image: is required",
        ] {
            #expect(result.stdout.contains(line), "\(result.stdout)")
        }
    }

    @Test func devRefusesASchedule() async throws {
        let run = try await Dev.run(Dev.example("cron.yaml"))
        #expect(run.exitCode == 2 && run.stderr.contains("the file holds a CronWorkflow"), "\(run.result)")
    }
}
