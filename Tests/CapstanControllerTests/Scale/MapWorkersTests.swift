import CapstanAPI
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import TestSupport

/// SPEC §15's reusable workers on `capstan sim` and `capstan run`: a 2,000-item map runs on
/// five worker pods (the scripted kubelet plays `capstan worker` for them), one of which is
/// deleted while it runs; the map still succeeds, on no more pods than its workers and their one
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
                 // 40 s of work on five workers: long enough that a test process kept busy by
                 // other suites still looks while the map runs.
                 "podMetadata": ["annotations": ["sim.capstan.dev/duration": "100ms"]],
             ]],
         ]]
    }

    @Test func twoThousandItemsOnFiveWorkersSurviveALostWorker() async throws {
        let cluster = try await ScaleCluster.start()
        try await cluster.create(Self.workflow("sweep"))
        try cluster.startController()

        // Early on, a worker pod goes away with whatever item it was running.
        var deleted: String?
        var podsSeen: Set<String> = []
        let (last, _) = try await cluster.pollStatus("sweep", interval: .milliseconds(200)) { status in
            podsSeen.formUnion(try await Self.pods(cluster, selector: "app.kubernetes.io%2Fmanaged-by%3Dcapstan"))
            let succeeded = status["nodes"]?["work"]?["map"]?["succeeded"]?.intValue ?? 0
            if deleted == nil, succeeded >= Self.items / 10, let victim = try await Self.workerPods(cluster).first {
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

    /// A controller killed mid-map and started again (same dispatch address, same worker key)
    /// hears from every worker what it runs and what it finished: no item is lost, none runs
    /// twice, no worker is replaced.
    @Test func aControllerKilledMidMapLosesNoItemAndRunsNoneTwice() async throws {
        let cluster = try await ScaleCluster.start()
        let key = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-worker-key-\(UUID().uuidString)")
        try Data("a-worker-key-for-this-test-only-0123456789".utf8).write(to: key)
        let arguments = ["--dispatch-addr", "127.0.0.1:\(try Self.freePort())", "--worker-key-file", key.path]
        try await cluster.create(Self.workflow("restart"))
        try cluster.startController(extraArguments: arguments)

        var killedAt: Int?
        var podsSeen: Set<String> = []
        let (last, _) = try await cluster.pollStatus("restart", interval: .milliseconds(200)) { status in
            podsSeen.formUnion(try await Self.pods(cluster, selector: "app.kubernetes.io%2Fmanaged-by%3Dcapstan"))
            let succeeded = status["nodes"]?["work"]?["map"]?["succeeded"]?.intValue ?? 0
            if killedAt == nil, succeeded >= Self.items / 10 {
                cluster.killController()
                killedAt = succeeded
                try cluster.startController(extraArguments: arguments)
            }
            return ScaleCluster.isFinished(status)
        }
        let work = last["nodes"]?["work"]
        #expect(last["phase"] == "Succeeded", "status: \(String(last.jsonString.prefix(3000)))\nlogs: \(cluster.earlierControllerLogs.suffix(2000))\n\(cluster.controllerLogTail)")
        #expect(killedAt != nil && killedAt! < Self.items, "killed at \(killedAt ?? -1) items")
        #expect(work?["map"]?["succeeded"]?.intValue == Self.items)
        #expect((work?["failures"]?.arrayValue ?? []).isEmpty, "nothing lost or run twice: \(work?["failures"] ?? .null)")
        #expect(podsSeen.count == Self.replicas, "the same workers throughout: \(podsSeen.sorted())")
    }

    /// A loopback port nothing listens on now.
    static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        try #require(bound, "binding a loopback port")
        return Int(UInt16(bigEndian: address.sin_port))
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
