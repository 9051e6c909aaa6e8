import CapstanAPI
import Foundation
import Testing
import TestSupport

/// A large map runs to the end on `capstan sim` and `capstan run` as separate processes, with
/// the Workflow's status under its 256 KiB budget at every look. A correctness test, not a
/// timed one: hack/bench/scale.sh measures, docs/performance.md has the figures. It runs the
/// release build (a debug build needs minutes for twenty thousand pods on two cores).
@Suite(.serialized) struct LargeMapTests {
    static let items = 20_000
    static let concurrency = 2_000
    static let statusBudget = 256 * 1024

    @Test func twentyThousandItemMapSucceedsWithStatusUnderBudget() async throws {
        let binary = try CapstanBinary.releasePath()
        let sim = try await SimProcess.start(["--nodes", "4", "--node-pods", "5000"], binary: binary)
        let crd = CapstanBinary.packageRoot.appendingPathComponent("config/crd/capstan.dev_workflows.yaml").path
        let applied = try await sim.kubectl("apply", "-f", crd)
        try #require(applied.exitCode == 0, "kubectl apply of the CRD: \(applied)")
        let store = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-store-\(UUID().uuidString)")
        let created = try await RawHTTP.request(sim.url, "POST", "/apis/capstan.dev/v1alpha1/namespaces/default/workflows",
                                                json: Self.workflow)
        try #require(created.status == 201, "creating the Workflow: \(created)")
        let uid = try #require(created.json?["metadata"]?["uid"]?.stringValue)
        // The list lives in the store, as a task that uploads outputs too large for its
        // termination message leaves it: the controller reads it when the `gen` pod ends.
        // The controller starts only once it is there, so a slow test process cannot lose
        // the race with the two-second `gen` pod.
        let outputs = store.appendingPathComponent("default/big/\(uid)/gen")
        try FileManager.default.createDirectory(at: outputs, withIntermediateDirectories: true)
        let list = JSONValue.object(["items": .array((0..<Self.items).map { .number(Double($0)) })])
        try Data(list.serialized()).write(to: outputs.appendingPathComponent("outputs.json"))
        let controller = try ControllerProcess.start(
            kubeconfig: sim.kubeconfigPath, storeDirectory: store,
            extraArguments: ["--kube-qps", "0", "--log-level", "info"], binary: binary)
        defer { controller.kill() }

        var largestStatus = 0
        var last: JSONValue = .null
        let deadline = Date().addingTimeInterval(110)
        while Date() < deadline {
            let read = try await RawHTTP.request(sim.url, "GET", "/apis/capstan.dev/v1alpha1/namespaces/default/workflows/big")
            if read.status == 200, let status = read.json?["status"] {
                largestStatus = max(largestStatus, status.serialized().count)
                last = status
                if let phase = status["phase"]?.stringValue, ["Succeeded", "Failed", "Aborted"].contains(phase) { break }
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        let map = last["nodes"]?["work"]?["map"]
        #expect(last["phase"] == "Succeeded", "status: \(last.jsonString)\ncontroller log tail: \(controller.log.suffix(3000))")
        #expect(map?["succeeded"]?.intValue == Self.items)
        #expect(map?["failed"]?.intValue == 0)
        #expect(largestStatus > 0 && largestStatus < Self.statusBudget, "largest status seen: \(largestStatus) bytes")
    }

    static let workflow: JSONValue = [
        "apiVersion": "capstan.dev/v1alpha1", "kind": "Workflow",
        "metadata": ["name": "big", "namespace": "default"],
        "spec": [
            "defaults": ["image": "busybox:1.36"],
            "podGC": "OnSuccess",
            "nodes": [
                ["name": "gen", "command": ["generate-items"], "outputs": ["items"],
                 "podMetadata": ["annotations": ["sim.capstan.dev/duration": "2s"]]],
                ["name": "work", "map": ["over": "{{ nodes.gen.outputs.items }}", "concurrency": .number(Double(concurrency))],
                 "command": ["work", "{{ item }}"], "podMetadata": ["annotations": ["sim.capstan.dev/duration": "0s"]]],
            ],
        ],
    ]
}
