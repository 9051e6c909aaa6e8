import CapstanAPI
import Foundation
import Testing
import TestSupport

/// `capstan dev`'s contract beyond the examples: exit codes, what it says on failure, its
/// plain progress lines, and Ctrl-C.
@Suite(.serialized)
struct DevCommandTests {
    /// The Ctrl-C test's task runs python3.
    init() throws { _ = try ProcessRunner.locate("python3") }

    @Test func aFailingWorkflowExits1NamingTheNodeItsReasonAndItsLog() async throws {
        let run = try await Dev.run(Dev.example("fail.yaml"))
        #expect(run.exitCode == 1, "\(run.result)")
        #expect(run.workflow?["status"]?["phase"] == "Failed")
        #expect(run.stderr.contains("node check failed: Error, exit code 3 (attempt 2)"), "\(run.stderr)")
        let logs = run.logs(workflow: "fail", node: "check")
        #expect(logs.count == 2, "two attempts, two logs: \(logs)")
        let lastLog = try #require(logs.first { $0.hasSuffix("-1.log") })
        #expect(run.stderr.contains("log: \(lastLog)"), "\(run.stderr)")
        #expect(run.stderr.contains("│ error: input.csv: line 3: expected 4 columns, found 3"), "\(run.stderr)")
        #expect(run.stderr.contains("│ checking the input (attempt 1)"), "\(run.stderr)")
        #expect(run.node("after")?["phase"] == "Aborted")
        #expect(run.logs(workflow: "fail", node: "after").isEmpty)
    }

    @Test func anInvalidWorkflowExits2WithValidateStyleProblems() async throws {
        let file = try Dev.writeWorkflow("""
            apiVersion: capstan.dev/v1alpha1
            kind: Workflow
            metadata: {name: broken}
            spec:
              nodes:
                - name: a
                  image: busybox
                  command: [sh, -c, "echo {{ nodes.nope.outputs.x }}"]
            """)
        let run = try await Dev.run(file)
        #expect(run.exitCode == 2, "\(run.result)")
        #expect(run.stderr.contains("\(file): error: spec.nodes[0]"), "\(run.stderr)")
        #expect(run.stderr.contains("nope"), "\(run.stderr)")
        #expect(run.result.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: run.store.appendingPathComponent("logs").path), "nothing ran")
    }

    @Test func aGeneratedNameIsFollowedToTheEnd() async throws {
        let file = try Dev.writeWorkflow("""
            apiVersion: capstan.dev/v1alpha1
            kind: Workflow
            metadata: {generateName: gen-}
            spec:
              nodes:
                - name: one
                  image: busybox
                  command: [sh, -c, 'echo "{\\"x\\": 1}" > "$CAPSTAN_OUTPUTS_FILE"']
                  outputs: [x]
              outputs: {x: "{{ nodes.one.outputs.x }}"}
            """)
        let run = try await Dev.run(file)
        #expect(run.exitCode == 0, "\(run.result)")
        let name = try #require(run.workflow?["metadata"]?["name"]?.stringValue)
        #expect(name.hasPrefix("gen-") && name.count > 4, "\(name)")
        #expect(run.outputs?["x"] == 1, "\(run.result)")
        #expect(run.logs(workflow: name, node: "one").count == 1)
    }

    @Test func badUsageExits2() async throws {
        let unknownInput = try await Dev.run(Dev.example("hello.yaml"), ["--input", "nmae=x"])
        #expect(unknownInput.exitCode == 2, "\(unknownInput.result)")
        #expect(unknownInput.stderr.contains("nmae") && unknownInput.stderr.contains("name"), "\(unknownInput.stderr)")

        let malformed = try await Dev.run(Dev.example("hello.yaml"), ["--input", "novalue"])
        #expect(malformed.exitCode == 2, "\(malformed.result)")
        #expect(malformed.stderr.contains("NAME=VALUE"), "\(malformed.stderr)")

        let output = try await Dev.run(Dev.example("hello.yaml"), ["--output", "yaml"], json: false)
        #expect(output.exitCode == 2, "\(output.result)")

        let missing = try await Dev.run("/nonexistent/workflow.yaml")
        #expect(missing.exitCode == 2, "\(missing.result)")
        #expect(missing.stderr.contains("/nonexistent/workflow.yaml: error: no such file"), "\(missing.stderr)")
    }

    @Test func textOutputPrintsASummaryAndPlainProgressLines() async throws {
        let run = try await Dev.run(Dev.example("hello.yaml"), json: false)
        #expect(run.exitCode == 0, "\(run.result)")
        let stdout = run.result.stdout
        #expect(stdout.hasPrefix("hello Succeeded in "), "\(stdout)")
        #expect(stdout.contains("greeting: \"hello, world\""), "\(stdout)")
        #expect(stdout.range(of: #"greet\s+Succeeded\s+1 attempt"#, options: .regularExpression) != nil, "\(stdout)")
        // Not a terminal: one plain line per change, ending with everything done.
        let progress = run.stderr.split(separator: "\n").filter { $0.hasPrefix("hello: ") }
        #expect(progress.last?.contains("nodes 2/2 done") == true, "\(run.stderr)")
        #expect(progress.count <= 12, "a line per change, not a flood: \(progress.count) lines")
        #expect(!run.stderr.contains("\u{1B}["), "no terminal escapes when stderr is not a terminal")
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func ctrlCAndSIGTERMAbortTheWorkflowAndLeaveNoProcessBehind(signal: Int32) async throws {
        let signalName = signal == SIGINT ? "SIGINT" : "SIGTERM"
        let marker = "capstan-dev-test-\(UUID().uuidString.prefix(8))"
        let file = try Dev.writeWorkflow("""
            apiVersion: capstan.dev/v1alpha1
            kind: Workflow
            metadata: {name: sleepy}
            spec:
              defaults: {image: busybox}
              nodes:
                - name: wait
                  map: {over: [1, 2]}
                  # The marker is in the shell's command line and in its child's, so that a
                  # child orphaned by killing only the shell would be found too.
                  command: [sh, -c, "echo started; python3 -c 'import time; time.sleep(300)' \(marker); echo done"]
            """)
        let store = try Dev.newStore()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try CapstanBinary.path())
        process.arguments = ["dev", file, "--store", store.path, "--output", "json"]
        let stderrFile = store.appendingPathComponent("stderr.txt")
        try #require(FileManager.default.createFile(atPath: stderrFile.path, contents: nil))
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        let started = Date()
        while Dev.processes(containing: marker).count < 4 {
            try #require(process.isRunning, "capstan dev ended early: \(String(decoding: FileManager.default.contents(atPath: stderrFile.path) ?? Data(), as: UTF8.self))")
            try #require(Date().timeIntervalSince(started) < 60, "the two tasks (a shell and its python3 each) did not start within 60s")
            try await Task.sleep(for: .milliseconds(100))
        }
        kill(process.processIdentifier, signal)
        try #require(try await ProcessRunner.waitForExit(process, timeout: 30) != nil, "capstan dev did not exit within 30s of \(signalName)")
        let stderr = String(decoding: FileManager.default.contents(atPath: stderrFile.path) ?? Data(), as: UTF8.self)
        #expect(process.terminationStatus == 1, "\(stderr)")
        #expect(stderr.contains("\(signalName) received, aborting sleepy"), "\(stderr)")
        #expect(stderr.contains("sleepy Aborted"), "\(stderr)")
        let left = Dev.processes(containing: marker)
        #expect(left.isEmpty, "processes left behind: \(left)")
        for pid in left { kill(pid, SIGKILL) }
    }
}
