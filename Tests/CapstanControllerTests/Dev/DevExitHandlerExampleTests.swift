import CapstanAPI
import Foundation
import Testing
import TestSupport

/// examples/exit-handler.yaml: exit nodes run after the main node, whatever its result, and
/// `capstan dev` lists them apart.
@Suite(.serialized)
struct DevExitHandlerExampleTests {
    private static func log(_ run: DevRunResult, _ node: String) -> String {
        run.logs(workflow: "exit-handler", node: node).compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }.joined()
    }

    @Test func theReportRunsAfterASuccessAndAfterAFailure() async throws {
        let run = try await Dev.run(Dev.example("exit-handler.yaml"))
        #expect(run.exitCode == 0, "\(run.result)")
        #expect(run.workflow?["status"]?["phase"] == "Succeeded")
        #expect(run.workflow?["status"]?["progress"] == "4/4")
        #expect(Self.log(run, "report").contains("run exit-handler ended Succeeded; failures: []"), "\(Self.log(run, "report"))")
        #expect(Self.log(run, "publish").contains("publishing model-7"))
        #expect(run.node("cleanup")?["phase"] == "Succeeded")
        // The summary (on stderr with --output json) sets the exit nodes apart.
        let summary = run.stderr.components(separatedBy: "\n")
        let onExit = try #require(summary.firstIndex(of: "onExit:"), "\(run.stderr)")
        #expect(summary[(onExit + 1)...].contains { $0.hasPrefix("  report") })
        #expect(summary[..<onExit].contains { $0.hasPrefix("  train") })

        let failed = try await Dev.run(Dev.example("exit-handler.yaml"), ["--input", "fail=true"])
        #expect(failed.exitCode == 1, "\(failed.result)")
        #expect(failed.workflow?["status"]?["phase"] == "Failed")
        #expect(failed.workflow?["status"]?["reason"] == "NodeFailed")
        let report = Self.log(failed, "report")
        #expect(report.contains("run exit-handler ended Failed; failures: [{\"message\":"), "\(report)")
        #expect(report.contains("\"node\":\"train\",\"reason\":\"Error\""), "\(report)")
        #expect(failed.node("publish")?["phase"] == "Skipped")
        #expect(failed.node("cleanup")?["phase"] == "Succeeded")
    }
}
