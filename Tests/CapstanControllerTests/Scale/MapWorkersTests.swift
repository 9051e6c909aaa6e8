import CapstanAPI
import Foundation
import Testing
import TestSupport

/// SPEC §15's reusable workers on `capstan sim` and `capstan run`: a 2,000-item map runs on
/// five worker pods (the scripted kubelet plays `capstan worker` for them), one of which is
/// deleted halfway; the map still succeeds, on no more pods than its workers and their one
/// replacement, and only the item the deleted worker held is run again.
@Suite(.serialized) struct MapWorkersTests {
    static let items = 2_000
    static let replicas = 5

    static func workflow(_ name: String) -> JSONValue {
        ["apiVersion": "capstan.dev/v1alpha1", "kind": "Workflow",
         "metadata": ["name": .string(name), "namespace": "default"],
         "spec": [
             "nodes": [[
                 "name": "work", "image": "busybox:1.36", "command": ["work", "{{ item }}"],
                 "map": ["over": .array((0..<Self.items).map { .number(Double($0)) }),
                         "workers": ["replicas": .number(Double(Self.replicas)), "idleTimeout": "1m"]],
                 "podMetadata": ["annotations": ["sim.capstan.dev/duration": "20ms"]],
             ]],
         ]]
    }

    @Test func twoThousandItemsOnFiveWorkersSurviveALostWorker() async throws {
        let cluster = try await ScaleCluster.start()
        try await cluster.create(Self.workflow("sweep"))
        try cluster.startController()

        // Halfway, a worker pod goes away with whatever item it was running.
        var deleted: String?
        var podsSeen: Set<String> = []
        let (last, _) = try await cluster.pollStatus("sweep", timeout: 240, interval: .milliseconds(200)) { status in
            podsSeen.formUnion(try await Self.pods(cluster, selector: "app.kubernetes.io%2Fmanaged-by%3Dcapstan"))
            let succeeded = status["nodes"]?["work"]?["map"]?["succeeded"]?.intValue ?? 0
            if deleted == nil, succeeded >= Self.items / 2 {
                let pods = try await Self.workerPods(cluster)
                let victim = try #require(pods.first, "worker pods while the map runs")
                let deletion = try await RawHTTP.request(cluster.sim.url, "DELETE", "/api/v1/namespaces/default/pods/\(victim)")
                #expect(deletion.status == 200, "deleting \(victim): \(deletion)")
                deleted = victim
            }
            return ScaleCluster.isFinished(status)
        }
        let work = last["nodes"]?["work"]
        #expect(last["phase"] == "Succeeded", "status: \(String(last.jsonString.prefix(3000)))\ncontroller log tail: \(cluster.controllerLogTail)")
        #expect(work?["map"]?["succeeded"]?.intValue == Self.items)
        #expect(deleted != nil, "the map ran long enough for a worker to be deleted halfway")

        // Every failure recorded is the lost worker's item: nothing else ran twice.
        let failures = work?["failures"]?.arrayValue ?? []
        #expect(failures.count <= 1, "failures: \(failures)")
        #expect(failures.allSatisfy { $0["reason"] == "WorkerLost" }, "failures: \(failures)")

        // Pods seen while the map ran: its five workers and the deleted one's replacement,
        // never a pod per item.
        #expect(podsSeen.allSatisfy { $0.contains("-w") }, "pods seen: \(podsSeen.sorted())")
        #expect(podsSeen.count >= Self.replicas && podsSeen.count <= Self.replicas + 1, "pods seen: \(podsSeen.sorted())")

        // Once the map is done, its workers are deleted.
        _ = try await eventually(timeout: .seconds(60)) { try await Self.workerPods(cluster).isEmpty }
    }

    static func workerPods(_ cluster: ScaleCluster) async throws -> [String] {
        try await pods(cluster, selector: "capstan.dev%2Fworker")
    }

    static func pods(_ cluster: ScaleCluster, selector: String) async throws -> [String] {
        let listed = try await RawHTTP.request(cluster.sim.url, "GET", "/api/v1/namespaces/default/pods?labelSelector=\(selector)")
        return (listed.json?["items"]?.arrayValue ?? []).compactMap { pod in
            pod["metadata"]?["deletionTimestamp"] == nil ? pod["metadata"]?["name"]?.stringValue : nil
        }
    }
}
