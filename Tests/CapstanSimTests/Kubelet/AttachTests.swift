import CapstanAPI
import Foundation
import Synchronization
import Testing
import TestSupport

/// `capstan sim --attach KUBECONFIG`: the kubelet half alone, driving another API server —
/// here a second `capstan sim` that runs no kubelets (`--nodes 0`).
@Suite struct AttachTests {
    @Test func attachedKubeletsRegisterNodesAndRunPodsOnAnotherAPIServer() async throws {
        let server = try await KubeletCluster.start(["--nodes", "0"])
        let nodesBefore = try await server.sim.kubectl("get", "nodes", "-o", "name")
        #expect(nodesBefore.stdout.isEmpty, "--nodes 0 runs the API server alone: \(nodesBefore)")
        try await server.create(simPod("before", annotations: ["sim.capstan.dev/outputs": "early"]))
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await server.pod("before")?.phase == "Pending", "nothing schedules pods without kubelets")

        let attached = try await AttachedKubelets.start(kubeconfig: server.sim.kubeconfigPath,
                                                        ["--nodes", "2", "--node-gpus", "1"])
        let nodes = try await server.sim.kubectl("get", "nodes", "-o", "name")
        #expect(nodes.stdout == "node/sim-node-0\nnode/sim-node-1\n", "\(nodes)")

        let before = try await server.finishedPod("before")
        #expect(before.phase == "Succeeded")
        #expect(before.terminated?["message"] == "early")

        try await server.create(simPod("gpu", annotations: ["sim.capstan.dev/duration": "500ms", "sim.capstan.dev/exit-code": "4"],
                                       container: ["resources": ["limits": ["nvidia.com/gpu": "1"]]]))
        let gpu = try await server.finishedPod("gpu")
        #expect(gpu.phase == "Failed")
        #expect(gpu.terminated?["exitCode"] == 4)
        let lease = try await server.sim.kubectl("get", "lease", "-n", "kube-node-lease", "sim-node-0", "-o", "json")
        #expect(try JSONValue.parse(lease.stdout)["spec"]?["holderIdentity"] == "sim-node-0", "\(lease)")

        let audit = try server.sim.auditEntries()
        #expect(audit.contains { $0["subresource"] as? String == "binding" && ($0["code"] as? NSNumber)?.intValue == 201 },
                "pods are bound through pods/binding")
        #expect(try await attached.stop() == 0)
    }

    @Test func attachRefusesFlagsOfTheAPIServerItDoesNotRun() async throws {
        let result = try await ProcessRunner.run(try CapstanBinary.path(), ["sim", "--attach", "/nonexistent", "--fault-rate", "0.1"])
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("--attach"), "\(result)")
        let missing = try await ProcessRunner.run(try CapstanBinary.path(), ["sim", "--attach", "/nonexistent/kubeconfig"])
        #expect(missing.exitCode != 0)
        #expect(missing.stderr.contains("/nonexistent/kubeconfig"), "\(missing)")
    }
}

/// `capstan sim --attach` as a process, ready once it reports its nodes registered.
final class AttachedKubelets: @unchecked Sendable {
    private let process: Process
    private let output: OutputBuffer

    static func start(kubeconfig: String, _ arguments: [String], timeout: Double = 30) async throws -> AttachedKubelets {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try CapstanBinary.path())
        process.arguments = ["sim", "--attach", kubeconfig] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let output = OutputBuffer()
        pipe.fileHandleForReading.readabilityHandler = { output.append($0.availableData) }
        try process.run()
        ChildProcesses.track(process)
        let deadline = Date().addingTimeInterval(timeout)
        while !output.text.contains("capstan sim: kubelets attached to") {
            guard process.isRunning, Date() < deadline else {
                process.terminate()
                throw KubeletTestFailure( "capstan sim --attach did not become ready: \(output.text)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return AttachedKubelets(process: process, output: output)
    }

    private init(process: Process, output: OutputBuffer) {
        self.process = process
        self.output = output
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    func stop(timeout: Double = 10) async throws -> Int32 {
        do {
            return try await ProcessRunner.stop(process, name: "capstan sim --attach", timeout: timeout)
        } catch {
            throw KubeletTestFailure("\(error): \(output.text)")
        }
    }
}

private final class OutputBuffer: Sendable {
    private let data = Mutex(Data())

    func append(_ chunk: Data) {
        data.withLock { $0.append(chunk) }
    }

    var text: String {
        data.withLock { String(decoding: $0, as: UTF8.self) }
    }
}
