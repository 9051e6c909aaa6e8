import CapstanAPI
import CapstanWorker
import Foundation
import Testing

/// Items run as local processes, as the kubelet would have run their pods (SPEC §3, §15).
@Suite struct ProcessItemExecutorTests {
    private let directory: String
    private let executor: ProcessItemExecutor

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-worker-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var executor = ProcessItemExecutor(baseEnvironment: ["PATH": "/usr/bin:/bin", "BASE": "base", "SHARED": "base",
                                                             "CAPSTAN_WORKER_TOKEN": "secret"],
                                           temporaryDirectory: directory, outputPath: directory + "/worker.log")
        executor.killGrace = .milliseconds(300)
        self.executor = executor
    }

    private func item(_ arguments: [String], environment: [EnvironmentVariable] = [], workingDirectory: String? = nil,
                      timeout: Double? = nil) -> ItemToRun {
        ItemToRun(name: "wf-train-3-0", index: 3, attempt: 1, arguments: arguments, environment: environment,
                  workingDirectory: workingDirectory, timeoutSeconds: timeout)
    }

    /// `sh -c SCRIPT` writing to the outputs file.
    private func shell(_ script: String, _ extra: [String] = []) -> [String] { ["sh", "-c", script, "sh"] + extra }

    @Test func theOutputsFileIsReadBackAndTheTimesAreRFC3339() async throws {
        let result = await executor.run(item(shell(#"printf '{"loss": 0.5}' > "$CAPSTAN_OUTPUTS_FILE""#)))
        #expect(result.name == "wf-train-3-0")
        #expect(result.exitCode == 0)
        #expect(result.outputs == #"{"loss": 0.5}"#)
        #expect(!result.timedOut)
        #expect(result.message == nil)
        let pattern = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z/
        #expect(result.startedAt.wholeMatch(of: pattern) != nil, "\(result.startedAt)")
        #expect(result.finishedAt.wholeMatch(of: pattern) != nil, "\(result.finishedAt)")
        #expect(result.startedAt <= result.finishedAt)
        let left = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("capstan-outputs-") }
        #expect(left.isEmpty, "each item's outputs file is removed after it is read")
    }

    @Test func noOutputsIsNilAndLargeOutputsAreCutAt4096Bytes() async {
        #expect(await executor.run(item(["true"])).outputs == nil)
        let large = await executor.run(item(shell(#"head -c 10000 /dev/zero | tr '\0' x > "$CAPSTAN_OUTPUTS_FILE""#)))
        #expect(large.outputs?.utf8.count == 4096)
    }

    @Test func eachItemGetsAFreshOutputsFile() async {
        let first = await executor.run(item(shell(#"printf '%s' "$CAPSTAN_OUTPUTS_FILE" > "$CAPSTAN_OUTPUTS_FILE""#)))
        let second = await executor.run(item(shell(#"printf '%s' "$CAPSTAN_OUTPUTS_FILE" > "$CAPSTAN_OUTPUTS_FILE""#)))
        #expect(first.outputs != nil)
        #expect(first.outputs != second.outputs)
    }

    @Test func variableReferencesAreExpandedAsTheKubeletExpandsThem() async {
        let result = await executor.run(item(
            shell(#"printf '%s|%s|%s|%s' "$1" "$2" "$3" "$4" > "$CAPSTAN_OUTPUTS_FILE""#,
                  ["$(GREETING)", "$(MISSING)", "$$(GREETING)", "$(BASE)-$(CAPSTAN_INDEX)"]),
            environment: [.init(name: "GREETING", value: "hello"), .init(name: "CAPSTAN_INDEX", value: "3")]))
        #expect(result.outputs == "hello|$(MISSING)|$(GREETING)|base-3")
    }

    @Test func theItemsEnvironmentIsSetOverTheWorkersInOrder() async {
        let result = await executor.run(item(
            shell(#"printf '%s %s %s %s [%s]' "$BASE" "$SHARED" "$DERIVED" "$CAPSTAN_OUTPUTS_FILE" "$CAPSTAN_WORKER_TOKEN" > "$CAPSTAN_OUTPUTS_FILE""#),
            environment: [.init(name: "SHARED", value: "item"), .init(name: "DERIVED", value: "$(SHARED)-x"),
                          .init(name: "CAPSTAN_OUTPUTS_FILE", value: "/dev/termination-log")]))
        let words = result.outputs?.split(separator: " ").map(String.init) ?? []
        #expect(words.count == 5)
        #expect(Array(words.prefix(3)) == ["base", "item", "item-x"])
        #expect(words.dropFirst(3).first?.hasPrefix(directory + "/capstan-outputs-") == true, "the worker's own outputs file wins")
        #expect(words.last == "[]", "the worker's token is not passed to items")
    }

    @Test func theWorkingDirectoryIsUsed() async {
        let result = await executor.run(item(shell(#"pwd > "$CAPSTAN_OUTPUTS_FILE""#), workingDirectory: directory + "/work/here"))
        #expect(result.outputs?.trimmingCharacters(in: .whitespacesAndNewlines) == directory + "/work/here")
    }

    @Test func aMissingExecutableIsReportedAsExecDoes() async {
        let result = await executor.run(item(["capstan-no-such-command", "--flag"]))
        #expect(result.exitCode == 127)
        #expect(result.message == #"exec: "capstan-no-such-command": executable file not found in $PATH"#)
        let missingPath = await executor.run(item(["/no/such/binary"]))
        #expect(missingPath.exitCode == 127)
        #expect(missingPath.message == #"exec: "/no/such/binary": stat /no/such/binary: no such file or directory"#)
    }

    @Test func exitCodesAndSignalsAreReportedAsKubernetesDoes() async {
        #expect(await executor.run(item(shell("exit 7"))).exitCode == 7)
        #expect(await executor.run(item(shell("kill -9 $$$$"))).exitCode == 137, "$$ escapes a $, as in a pod")
    }

    // No wall-clock bound here: a busy test process resumes the awaiting test late. The
    // signal in the exit code is what shows the item was stopped, not left to run its 30 s.
    @Test func aTimeoutTerminatesTheGroupAndIsReported() async {
        let result = await executor.run(item(shell("sleep 30 & wait"), timeout: 0.2))
        #expect(result.timedOut)
        #expect(result.exitCode == 143)
    }

    @Test func aTaskIgnoringSIGTERMIsKilledAfterTheGrace() async {
        let result = await executor.run(item(shell("trap '' TERM; sleep 30"), timeout: 0.2))
        #expect(result.timedOut)
        #expect(result.exitCode == 137)
    }

    @Test func cancellingStopsTheItem() async {
        let work = Task { [executor] in await executor.run(item(["sleep", "30"])) }
        try? await Task.sleep(for: .milliseconds(200))
        work.cancel()
        let result = await work.value
        #expect(result.exitCode == 143, "SIGTERM, not the end of its 30 s")
        #expect(!result.timedOut)
    }

    @Test func theItemsOutputIsFramedInTheWorkersLog() async throws {
        _ = await executor.run(item(shell("echo hello; echo oops >&2; exit 2")))
        let log = try String(contentsOfFile: directory + "/worker.log", encoding: .utf8)
        #expect(log == """
            capstan worker: item wf-train-3-0 (index 3, attempt 1) started
            hello
            oops
            capstan worker: item wf-train-3-0 (index 3, attempt 1) exited with code 2

            """)
    }
}

@Suite struct WorkerEnvironmentTests {
    private let complete = [
        "CAPSTAN_DISPATCH_URL": "http://capstan.capstan-system.svc:8082/", "CAPSTAN_WORKER_TOKEN": "t0k",
        "CAPSTAN_WORKER_POD": "wf-train-w0", "CAPSTAN_NAMESPACE": "ml", "CAPSTAN_WORKFLOW": "wf",
        "CAPSTAN_WORKFLOW_UID": "uid-1", "CAPSTAN_NODE": "train",
    ]

    @Test func readsTheClaimsTokenAndURL() throws {
        let environment = try WorkerEnvironment(complete)
        #expect(environment.dispatchURL == "http://capstan.capstan-system.svc:8082")
        #expect(environment.token == "t0k")
        #expect(environment.claims == WorkerClaims(namespace: "ml", workflow: "wf", workflowUID: "uid-1", node: "train", pod: "wf-train-w0"))
    }

    @Test func aMissingOrEmptyVariableIsNamed() {
        for name in complete.keys {
            var environment = complete
            environment[name] = nil
            #expect(throws: WorkerEnvironmentError(variable: name, problem: "is not set")) { try WorkerEnvironment(environment) }
            environment[name] = ""
            #expect(throws: WorkerEnvironmentError(variable: name, problem: "is not set")) { try WorkerEnvironment(environment) }
        }
        var bad = complete
        bad["CAPSTAN_DISPATCH_URL"] = "capstan:8082"
        #expect((try? WorkerEnvironment(bad)) == nil)
    }

    @Test func expansionLeavesUnknownReferencesAndEscapes() {
        let known = ["A": "1"]
        #expect(VariableExpansion.expand("$(A)$(B)$$(A)$$$A$", known) == "1$(B)$(A)$$A$")
        #expect(VariableExpansion.expand("$(A", known) == "$(A")
    }
}
