import CapstanAPI
import Foundation
import Testing
import TestSupport

/// examples/approval.yaml under `capstan dev`: the run stops at the gate, says how to decide
/// it, and `capstan approve` or `capstan reject` against the run's kubeconfig ends the wait.
@Suite(.serialized)
struct DevApprovalTests {
    init() throws { _ = try ProcessRunner.locate("python3") }

    @Test(arguments: ["approve", "reject"])
    func theGateWaitsUntilDecidedFromAnotherTerminal(command: String) async throws {
        let store = try Dev.newStore()
        let stderrFile = store.appendingPathComponent("stderr.txt")
        let stdoutFile = store.appendingPathComponent("stdout.txt")
        try #require(FileManager.default.createFile(atPath: stderrFile.path, contents: nil))
        try #require(FileManager.default.createFile(atPath: stdoutFile.path, contents: nil))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try CapstanBinary.path())
        process.arguments = ["dev", Dev.example("approval.yaml"), "--store", store.path, "--output", "json"]
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        process.standardOutput = try FileHandle(forWritingTo: stdoutFile)
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        func read(_ file: URL) -> String { String(decoding: FileManager.default.contents(atPath: file.path) ?? Data(), as: UTF8.self) }

        let prompted = try await eventually(timeout: .seconds(90), interval: .milliseconds(200)) {
            try #require(process.isRunning, "capstan dev ended early: \(read(stderrFile))")
            return read(stderrFile).contains("node gate is waiting for approval")
        }
        try #require(prompted, "no approval prompt within 90s: \(read(stderrFile))")
        let stderr = read(stderrFile)
        #expect(stderr.contains("waiting for approval: Release app-1.4.2.tar.gz to production?"), "\(stderr)")
        #expect(stderr.contains("capstan approve approval gate --kubeconfig "), "\(stderr)")

        let decided = try await ProcessRunner.run(
            try CapstanBinary.path(), [command, "approval", "gate", "--kubeconfig", store.appendingPathComponent("kubeconfig").path])
        #expect(decided.exitCode == 0, "\(decided)")
        try #require(try await ProcessRunner.waitForExit(process, timeout: 90) != nil, "capstan dev did not finish after \(command)")
        let workflow = try JSONValue.parse(read(stdoutFile))
        if command == "approve" {
            #expect(process.terminationStatus == 0, "\(read(stderrFile))")
            #expect(workflow["status"]?["outputs"]?["released"] == "app-1.4.2.tar.gz")
            #expect(workflow["status"]?["nodes"]?["soak"]?["phase"] == "Succeeded")
        } else {
            #expect(process.terminationStatus == 1)
            #expect(workflow["status"]?["nodes"]?["release"]?["phase"] == "Aborted")
            let report = read(stderrFile)
            #expect(report.contains("node gate failed: Rejected\n  message: rejected: Release app-1.4.2.tar.gz to production?"), "\(report)")
            #expect(!report.contains("log:"), "a gate has no log to point to: \(report)")
        }
    }
}
