import CapstanAPI
import Foundation
import Testing
import TestSupport

/// `--kubelet process`: each pod's main command runs as a local process, as `capstan dev`
/// runs tasks.
@Suite struct ProcessKubeletTests {
    /// Pids of running processes whose command line contains `marker`.
    private func processes(containing marker: String) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.filter { entry in
            guard Int(entry) != nil, let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return false }
            let text = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
            return text.contains(marker) && !text.contains("capstan")
        }
    }

    @Test func theCommandRunsWithItsEnvironmentAndItsOutputsBecomeTheTerminationMessage() async throws {
        let setup = try await ProcessCluster.start()
        let script = #"echo "hello from $GREETING_TARGET"; echo "to stderr" >&2; pwd; echo '{"x":1}' > $CAPSTAN_OUTPUTS_FILE"#
        try await setup.cluster.create(simPod("outputs", command: ["sh", "-c", script],
                                              container: ["env": [["name": "GREETING_TARGET", "value": "a pod"]],
                                                          "workingDir": "/tmp"]))
        let pod = try await setup.cluster.finishedPod("outputs")
        #expect(pod.phase == "Succeeded", "\(pod.jsonString)")
        #expect(pod.terminated?["exitCode"] == 0)
        #expect(pod.terminated?["reason"] == "Completed")
        #expect(pod.terminated?["message"] == "{\"x\":1}\n")
        let log = try setup.log("outputs")
        #expect(log.contains("hello from a pod\n"), "\(log)")
        #expect(log.contains("to stderr\n"), "\(log)")
        #expect(log.contains("/tmp\n"), "workingDir is honoured: \(log)")
    }

    @Test func aFailingCommandFailsThePodWithItsExitCode() async throws {
        let setup = try await ProcessCluster.start()
        try await setup.cluster.create(simPod("fails", command: ["sh", "-c", "echo nearly > $CAPSTAN_OUTPUTS_FILE; exit 3"]))
        let pod = try await setup.cluster.finishedPod("fails")
        #expect(pod.phase == "Failed")
        #expect(pod.terminated?["exitCode"] == 3)
        #expect(pod.terminated?["reason"] == "Error")
        #expect(pod.terminated?["message"] == "nearly\n")

        try await setup.cluster.create(simPod("missing", command: ["no-such-command-anywhere"]))
        let missing = try await setup.cluster.finishedPod("missing")
        #expect(missing.phase == "Failed")
        #expect(missing.terminated?["reason"] == "StartError")
        #expect(missing.terminated?["exitCode"] == 128)
        let runtime = "failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create "
            + "failed: unable to start container process: error during container init: "
        #expect(missing.terminated?["message"]?.stringValue
            == runtime + "exec: \"no-such-command-anywhere\": executable file not found in $PATH: unknown")

        try await setup.cluster.create(simPod("nopath", command: ["./no-such-script"]))
        let nopath = try await setup.cluster.finishedPod("nopath")
        #expect(nopath.terminated?["reason"] == "StartError")
        #expect(nopath.terminated?["message"]?.stringValue
            == runtime + "exec: \"./no-such-script\": stat ./no-such-script: no such file or directory: unknown")
    }

    @Test func anEnvironmentTooLargeToExecFailsAsTheContainerRunsWithTheErrorInItsLog() async throws {
        let setup = try await ProcessCluster.start()
        // Linux refuses any one environment string over 128 KiB (MAX_ARG_STRLEN) at execve.
        let big: JSONValue = [["name": "BIG", "value": .string(String(repeating: "x", count: 140_000))]]
        try await setup.cluster.create(simPod("toobig", command: ["sh", "-c", "true"],
                                              container: ["env": big, "terminationMessagePolicy": "FallbackToLogsOnError"]))
        let pod = try await setup.cluster.finishedPod("toobig")
        #expect(pod.phase == "Failed")
        #expect(pod.terminated?["exitCode"] == 1)
        #expect(pod.terminated?["reason"] == "Error")
        let message = pod.terminated?["message"]?.stringValue ?? ""
        #expect(message.hasPrefix("exec /") && message.hasSuffix("/sh: argument list too long\n"), "\(message)")
        #expect(try setup.log("toobig").contains("argument list too long"))
    }

    @Test func theDeadlineKillsTheWholeProcessGroup() async throws {
        let setup = try await ProcessCluster.start()
        let marker = "31.\(Int.random(in: 100...999))"
        // The shell starts a child, so the kill must reach the group, not just the shell.
        try await setup.cluster.create(simPod("overdue", command: ["sh", "-c", "sleep \(marker); echo done"],
                                              spec: ["activeDeadlineSeconds": 1]))
        let pod = try await setup.cluster.finishedPod("overdue", timeout: 15)
        #expect(pod.phase == "Failed")
        #expect(pod["status"]?["reason"] == "DeadlineExceeded")
        #expect(pod.terminated?["exitCode"] == 143, "ended by SIGTERM")
        try await Task.sleep(for: .milliseconds(300))
        #expect(processes(containing: "sleep \(marker)").isEmpty)
    }

    @Test func deletingAPodAndStoppingTheSimKillTheirProcesses() async throws {
        let setup = try await ProcessCluster.start()
        let deletedMarker = "32.\(Int.random(in: 100...999))"
        let leftMarker = "33.\(Int.random(in: 100...999))"
        try await setup.cluster.create(simPod("deleted", command: ["sh", "-c", "sleep \(deletedMarker)"]))
        try await setup.cluster.create(simPod("left", command: ["sh", "-c", "sleep \(leftMarker)"]))
        try await setup.cluster.waitForPod("deleted", "Running") { $0.phase == "Running" }
        try await setup.cluster.waitForPod("left", "Running") { $0.phase == "Running" }
        #expect(await eventually { !processes(containing: "sleep \(leftMarker)").isEmpty },
                "the process runs while the pod does")

        let deleted = try await setup.cluster.sim.kubectl("delete", "pod", "deleted", "--timeout=60s")
        #expect(deleted.exitCode == 0, "\(deleted)")
        // A signalled process leaves /proc a moment after its pod is gone.
        #expect(await eventually { processes(containing: "sleep \(deletedMarker)").isEmpty },
                "the deleted pod's process is killed: \(processes(containing: "sleep \(deletedMarker)"))")

        #expect(try await setup.cluster.sim.stop() == 0)
        #expect(await eventually { processes(containing: "sleep \(leftMarker)").isEmpty },
                "no process outlives the sim: \(processes(containing: "sleep \(leftMarker)"))")
    }
}
