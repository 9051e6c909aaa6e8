import CapstanAPI
import Foundation
import Testing
import TestSupport

/// Small versions of the scale benchmark's other scenarios (hack/bench/scale.sh), as
/// correctness tests on `capstan sim` and `capstan run` (release build) as processes: they
/// check what finishes and what the status holds, never how fast.
@Suite(.serialized) struct ScaleScenarioTests {
    static let statusBudget = 256 * 1024

    /// `concurrent-N`: every pod of a wide map runs at once and the controller's status
    /// counts each of them running (an item counts as running from its pod's creation),
    /// with a status that stays small.
    @Test func twoThousandPodsRunAtOnceAndAreAllTracked() async throws {
        let cluster = try await ScaleCluster.start()
        let pods = 2_000
        let uid = try await cluster.create(ScaleWorkflows.generatedMap("wide", items: pods, concurrency: pods, duration: "3600s"))
        try cluster.writeOutputs(workflow: "wide", uid: uid, node: "gen", ["items": .array((0..<pods).map { .number(Double($0)) })])
        try cluster.startController()

        let (last, largest) = try await cluster.pollStatus("wide") { status in
            guard status["nodes"]?["work"]?["map"]?["running"]?.intValue == pods else { return false }
            return try await runningPods(cluster) == pods
        }
        let map = last["nodes"]?["work"]?["map"]
        #expect(map?["running"]?.intValue == pods, "status: \(last.jsonString)\n\(cluster.controllerLogTail)")
        #expect(map?["succeeded"]?.intValue == 0)
        #expect(last["phase"] == "Running")
        #expect(largest < Self.statusBudget, "largest status: \(largest) bytes")
        #expect(try await runningPods(cluster) == pods)
    }

    private func runningPods(_ cluster: ScaleCluster) async throws -> Int {
        let running = try await RawHTTP.request(
            cluster.sim.url, "GET", "/api/v1/namespaces/default/pods?labelSelector=capstan.dev%2Fnode%3Dwork&fieldSelector=status.phase%3DRunning")
        return running.json?["items"]?.arrayValue?.count ?? 0
    }

    /// `many-workflows`: hundreds of one-pod Workflows submitted at once all succeed.
    @Test func threeHundredWorkflowsSubmittedAtOnceAllSucceed() async throws {
        let cluster = try await ScaleCluster.start()
        try cluster.startController()
        let count = 300
        try await withThrowingTaskGroup(of: Void.self) { group in
            for batch in stride(from: 0, to: count, by: 50) {
                group.addTask {
                    for index in batch..<min(batch + 50, count) {
                        _ = try await cluster.create(ScaleWorkflows.onePod(String(format: "one-%03d", index)))
                    }
                }
            }
            try await group.waitForAll()
        }
        var phases: [String: Int] = [:]
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let list = try await RawHTTP.request(cluster.sim.url, "GET", "/apis/capstan.dev/v1alpha1/namespaces/default/workflows")
            phases = [:]
            for item in list.json?["items"]?.arrayValue ?? [] {
                phases[item["status"]?["phase"]?.stringValue ?? "(none)", default: 0] += 1
            }
            if phases["Succeeded"] == count || phases["Failed", default: 0] > 0 { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(phases == ["Succeeded": count], "phases: \(phases)\n\(cluster.controllerLogTail)")
    }

    /// `chain-handoff`: a long chain runs in order, one node at a time, to the end.
    @Test func aHundredNodeChainRunsInOrder() async throws {
        let cluster = try await ScaleCluster.start()
        try cluster.startController()
        let length = 100
        let nodes: [JSONValue] = (0..<length).map { index in
            var node: JSONValue = ["name": .string("n\(index)"), "image": "busybox:1.36", "command": ["true"],
                                   "podMetadata": ["annotations": ["sim.capstan.dev/duration": "0s"]]]
            if index > 0 { node["dependsOn"] = [.string("n\(index - 1)")] }
            return node
        }
        _ = try await cluster.create(["apiVersion": "capstan.dev/v1alpha1", "kind": "Workflow",
                                      "metadata": ["name": "chain", "namespace": "default"], "spec": ["nodes": .array(nodes)]])
        let (last, largest) = try await cluster.pollStatus("chain", interval: .milliseconds(250), until: ScaleCluster.isFinished)
        #expect(last["phase"] == "Succeeded", "status: \(last.jsonString.suffix(3000))")
        #expect(largest < Self.statusBudget, "largest status: \(largest) bytes")
        // Each node started no earlier than its predecessor finished.
        let times = (0..<length).map { index in
            (start: last["nodes"]?["n\(index)"]?["startedAt"]?.stringValue.flatMap(Timestamp.init(rfc3339:)),
             end: last["nodes"]?["n\(index)"]?["finishedAt"]?.stringValue.flatMap(Timestamp.init(rfc3339:)))
        }
        #expect(times.allSatisfy { $0.start != nil && $0.end != nil })
        for index in 1..<length {
            if let start = times[index].start, let previousEnd = times[index - 1].end {
                #expect(start >= previousEnd, "n\(index) started before n\(index - 1) finished")
            }
        }
    }
}
