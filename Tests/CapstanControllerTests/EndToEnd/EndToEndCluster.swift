import CapstanAPI
import Foundation
import Testing
import TestSupport

/// One simulated cluster with the CRD applied and one `capstan run`, shared by the
/// end-to-end tests; each test works in a namespace of its own.
actor EndToEndCluster {
    static let shared = EndToEndCluster()

    private var starting: Task<(sim: SimProcess, controller: RunningController), any Error>?

    /// The one cluster. Tests that ask at once share one start: the actor lets others in
    /// while a start awaits, so the start itself is the shared value, not its result.
    func get() async throws -> (sim: SimProcess, controller: RunningController) {
        if let starting, let started = try? await starting.value, started.sim.isRunning, started.controller.isRunning {
            return started
        }
        let start = Task { try await Self.start() }
        starting = start
        return try await start.value
    }

    private static func start() async throws -> (sim: SimProcess, controller: RunningController) {
        let sim = try await SimProcess.start(["--nodes", "4", "--node-cpu", "64", "--node-memory", "256Gi"])
        let applied = try await sim.applyCRDs()
        try #require(applied.exitCode == 0, "kubectl apply of the CRD failed: \(applied)")
        let controller = try RunningController.start(kubeconfig: sim.kubeconfigPath, extraArguments: [
            "--unschedulable-timeout", "3s", "--image-pull-timeout", "3s", "--config-error-timeout", "3s",
        ])
        return (sim, controller)
    }

    /// A fresh namespace for one test.
    func namespace(_ prefix: String) async throws -> (SimProcess, String) {
        let (sim, _) = try await get()
        let name = "\(prefix)-\(UUID().uuidString.prefix(6).lowercased())"
        let created = try await sim.kubectl("create", "namespace", name)
        try #require(created.exitCode == 0, "\(created)")
        return (sim, name)
    }
}

extension SimProcess {
    /// Runs `capstan ARGUMENTS --kubeconfig` against this cluster, as a user would.
    func capstan(_ arguments: [String]) async throws -> ProcessResult {
        try await ProcessRunner.run(try CapstanBinary.path(), arguments + ["--kubeconfig", kubeconfigPath], timeout: 180)
    }

    /// Applies a Workflow given as the YAML of its spec.
    func submit(_ name: String, namespace: String, spec: String) async throws {
        try await apply(kind: "Workflow", name, namespace: namespace, spec: spec)
    }

    /// Applies a capstan.dev object of this kind given as the YAML of its spec.
    func apply(kind: String, _ name: String, namespace: String, spec: String) async throws {
        let indented = spec.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
        let manifest = "apiVersion: capstan.dev/v1alpha1\nkind: \(kind)\nmetadata:\n  name: \(name)\n  namespace: \(namespace)\nspec:\n\(indented)\n"
        let result = try await kubectl(["apply", "-f", "-"], stdin: manifest)
        try #require(result.exitCode == 0, "kubectl apply failed: \(result)")
    }

    func object(_ resource: String, _ name: String, namespace: String) async throws -> JSONValue {
        let result = try await kubectl("get", resource, name, "-n", namespace, "-o", "json")
        try #require(result.exitCode == 0, "kubectl get failed: \(result)")
        return try JSONValue.parse(result.stdout)
    }

    func list(_ resource: String, namespace: String, selector: String? = nil) async throws -> [JSONValue] {
        var arguments = ["get", resource, "-n", namespace, "-o", "json"]
        if let selector { arguments += ["-l", selector] }
        let result = try await kubectl(arguments)
        try #require(result.exitCode == 0, "kubectl get failed: \(result)")
        return try JSONValue.parse(result.stdout)["items"]?.arrayValue ?? []
    }

    /// Polls until the Workflow reaches a finished phase; returns its status.
    func waitForWorkflow(_ name: String, namespace: String, timeout: Double = 90) async throws -> WorkflowStatus {
        var last = JSONValue.null
        let finished = try await poll(timeout: .seconds(timeout), interval: .milliseconds(250)) { () async throws -> WorkflowStatus? in
            last = try await object("workflow", name, namespace: namespace)
            let status = WorkflowStatus(json: last["status"])
            return status.phase.isTerminal ? status : nil
        }
        if let finished { return finished }
        Issue.record("workflow \(namespace)/\(name) did not finish in \(Int(timeout))s; last status: \(last["status"]?.jsonString ?? "none")")
        return WorkflowStatus(json: last["status"])
    }
}
