import CapstanAPI
import Foundation
import Testing
import TestSupport

/// A DAG of 2,000 task nodes and a join runs to the end on `capstan sim` and `capstan run`
/// as separate processes: the status stays under its 256 KiB budget at every look because
/// finished nodes move to `status.archivedNodes` with their details in the store, and
/// `capstan get` still lists every node. hack/bench/scale.sh's `dag-10k` measures it at
/// 10,000 nodes.
@Suite(.serialized) struct LargeDAGTests {
    static let width = 2_000
    static let statusBudget = 256 * 1024

    static func fanIn(_ name: String, width: Int) -> JSONValue {
        var nodes: [JSONValue] = (0..<width).map { ["name": .string(Self.node($0))] }
        nodes.append(["name": "join", "dependsOn": .array((0..<width).map { .string(Self.node($0)) })])
        return ["apiVersion": "capstan.dev/v1alpha1", "kind": "Workflow",
                "metadata": ["name": .string(name), "namespace": "default"],
                "spec": [
                    "defaults": ["image": "busybox:1.36", "command": ["true"],
                                 "podMetadata": ["annotations": ["sim.capstan.dev/duration": "0s"]]],
                    "podGC": "OnSuccess",
                    "nodes": .array(nodes),
                ]]
    }

    static func node(_ index: Int) -> String { "n\(String(format: "%05d", index))" }

    @Test func twoThousandNodesFinishUnderTheStatusBudgetAndAreAllListed() async throws {
        let cluster = try await ScaleCluster.start()
        let uid = try await cluster.create(Self.fanIn("dag", width: Self.width))
        try cluster.startController()

        let (last, largest) = try await cluster.pollStatus("dag", until: ScaleCluster.isFinished)
        #expect(last["phase"] == "Succeeded", "status: \(String(last.jsonString.prefix(2000)))\ncontroller log tail: \(cluster.controllerLogTail)")
        #expect(largest > 0 && largest < Self.statusBudget, "largest status seen: \(largest) bytes")
        #expect(last["progress"] == "2001/2001")
        let rows = (last["archivedNodes"]?["rows"]?.objectValue ?? [:]).values.compactMap(\.stringValue)
            .flatMap { $0.split(separator: ";") }
        #expect(rows.count == Self.width + 1, "every node finished well and was archived")
        #expect(rows.contains { $0.hasPrefix("n01999 S1 ") })

        // Each archived node's full status is in the store, with the key recoverFrom compares.
        let details = cluster.store.appendingPathComponent("default/dag/\(uid)/n01999/node.json")
        let json = try JSONValue.parse(String(decoding: try Data(contentsOf: details), as: UTF8.self))
        #expect(json["phase"] == "Succeeded")
        #expect(json["key"]?.stringValue?.count == 64)

        let get = try await ProcessRunner.run(cluster.binary, ["get", "dag", "-n", "default", "--kubeconfig", cluster.sim.kubeconfigPath],
                                              timeout: 120)
        #expect(get.exitCode == 0, "\(get)")
        let listed = get.stdout.split(separator: "\n").filter { $0.contains("Succeeded") && ($0.contains("n0") || $0.contains("join")) }
        #expect(listed.count == Self.width + 1, "capstan get lists every node: \(String(get.stdout.suffix(800)))")
    }
}
