import CapstanAPI
import Foundation
import Testing
import TestSupport

/// `capstan sim` with nodes sized for thousands of pods and the CRD applied, and a file store
/// for a `capstan run` started when the test says: a test that places a task's uploaded
/// outputs in the store first starts the controller after, so no pod can finish before.
/// Both run the release build; a debug build needs minutes for this many pods on two cores.
final class ScaleCluster: @unchecked Sendable {
    let sim: SimProcess
    let binary: String
    let store: URL
    private var started: RunningController?

    static func start() async throws -> ScaleCluster {
        let binary = try CapstanBinary.releasePath()
        let sim = try await SimProcess.start(["--nodes", "4", "--node-pods", "5000"], binary: binary)
        let applied = try await sim.applyCRDs()
        try #require(applied.exitCode == 0, "kubectl apply of the CRD: \(applied)")
        let store = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-store-\(UUID().uuidString)")
        return ScaleCluster(sim: sim, binary: binary, store: store)
    }

    private init(sim: SimProcess, binary: String, store: URL) {
        self.sim = sim
        self.binary = binary
        self.store = store
    }

    deinit { started?.kill() }

    /// Starts `capstan run` against the sim and the store, once (again after `killController`).
    func startController(extraArguments: [String] = []) throws {
        guard started == nil else { return }
        started = try RunningController.start(kubeconfig: sim.kubeconfigPath, storeDirectory: store,
                                              extraArguments: ["--kube-qps", "0", "--log-level", "info"] + extraArguments, binary: binary)
    }

    /// SIGKILL, as in a crash; the log so far is kept in `earlierControllerLogs`.
    func killController() {
        guard let controller = started else { return }
        controller.kill()
        earlierControllerLogs += controller.log
        started = nil
    }

    private(set) var earlierControllerLogs = ""

    /// The end of the controller's log, for failure messages.
    var controllerLogTail: String { String((started?.log ?? "(not started)").suffix(3000)) }

    /// Creates a Workflow; returns its uid.
    @discardableResult
    func create(_ workflow: JSONValue) async throws -> String {
        let created = try await RawHTTP.request(sim.url, "POST", "/apis/capstan.dev/v1alpha1/namespaces/default/workflows", json: workflow)
        try #require(created.status == 201, "creating the Workflow: \(created)")
        return try #require(created.json?["metadata"]?["uid"]?.stringValue)
    }

    /// Puts outputs where a task that uploads them to CAPSTAN_OUTPUTS_URI leaves them.
    func writeOutputs(workflow: String, uid: String, node: String, _ outputs: [String: JSONValue]) throws {
        let directory = store.appendingPathComponent("default/\(workflow)/\(uid)/\(node)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(JSONValue.object(outputs).serialized()).write(to: directory.appendingPathComponent("outputs.json"))
    }

    /// Reads the Workflow's status every `interval` until `done` holds or `timeout` passes;
    /// returns the last status read and the largest, in bytes, seen on the way. The timeout
    /// only bounds a hang: these are correctness tests, and debug builds of the sim and the
    /// controller, sharing the cores with the rest of the suite, took 110–140 s for the
    /// 20,000-item map, so a bound near that failed runs that were only slow.
    func pollStatus(_ workflow: String, timeout: Double = 360, interval: Duration = .milliseconds(500),
                    until done: (JSONValue) async throws -> Bool) async throws -> (last: JSONValue, largest: Int) {
        var last: JSONValue = .null
        var largest = 0
        _ = try await eventually(timeout: .seconds(timeout), interval: interval) {
            guard let status = try await status(workflow) else { return false }
            last = status
            largest = max(largest, status.serialized().count)
            return try await done(status)
        }
        return (last, largest)
    }

    static func isFinished(_ status: JSONValue) -> Bool {
        ["Succeeded", "Failed", "Aborted"].contains(status["phase"]?.stringValue ?? "")
    }

    func status(_ workflow: String) async throws -> JSONValue? {
        let read = try await RawHTTP.request(sim.url, "GET", "/apis/capstan.dev/v1alpha1/namespaces/default/workflows/\(workflow)")
        return read.status == 200 ? read.json?["status"] : nil
    }
}

/// The Workflows the scale tests submit; pods run on the sim's scripted kubelet.
enum ScaleWorkflows {
    /// A `gen` node whose `items` output the test puts in the store, and a map over it.
    static func generatedMap(_ name: String, items: Int, concurrency: Int, duration: String) -> JSONValue {
        ["apiVersion": "capstan.dev/v1alpha1", "kind": "Workflow",
         "metadata": ["name": .string(name), "namespace": "default"],
         "spec": [
             "defaults": ["image": "busybox:1.36"],
             "podGC": "OnSuccess",
             "nodes": [
                 ["name": "gen", "command": ["generate-items"], "outputs": ["items"],
                  "podMetadata": ["annotations": ["sim.capstan.dev/duration": "2s"]]],
                 ["name": "work", "map": ["over": "{{ nodes.gen.outputs.items }}", "concurrency": .number(Double(concurrency))],
                  "command": ["work", "{{ item }}"], "podMetadata": ["annotations": ["sim.capstan.dev/duration": .string(duration)]]],
             ],
         ]]
    }

    static func onePod(_ name: String) -> JSONValue {
        ["apiVersion": "capstan.dev/v1alpha1", "kind": "Workflow",
         "metadata": ["name": .string(name), "namespace": "default"],
         "spec": ["nodes": [["name": "only", "image": "busybox:1.36", "command": ["true"],
                             "podMetadata": ["annotations": ["sim.capstan.dev/duration": "0s"]]]]]]
    }
}
