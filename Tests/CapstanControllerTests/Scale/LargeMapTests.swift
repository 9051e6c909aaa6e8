import CapstanAPI
import Foundation
import Testing
import TestSupport

/// A large map runs to the end on `capstan sim` and `capstan run` as separate processes, with
/// the Workflow's status under its 256 KiB budget at every look. A correctness test, not a
/// timed one: hack/bench/scale.sh measures, docs/performance.md has the figures.
@Suite(.serialized) struct LargeMapTests {
    static let items = 20_000
    static let concurrency = 2_000
    static let statusBudget = 256 * 1024

    @Test func twentyThousandItemMapSucceedsWithStatusUnderBudget() async throws {
        let cluster = try await ScaleCluster.start()
        let uid = try await cluster.create(ScaleWorkflows.generatedMap("big", items: Self.items, concurrency: Self.concurrency, duration: "0s"))
        // The list lives in the store, as a task that uploads outputs too large for its
        // termination message leaves it: the controller reads it when the `gen` pod ends.
        try cluster.writeOutputs(workflow: "big", uid: uid, node: "gen", ["items": .array((0..<Self.items).map { .number(Double($0)) })])
        try cluster.startController()

        let (last, largestStatus) = try await cluster.pollStatus("big", until: ScaleCluster.isFinished)
        let map = last["nodes"]?["work"]?["map"]
        #expect(last["phase"] == "Succeeded", "status: \(last.jsonString)\ncontroller log tail: \(cluster.controllerLogTail)")
        #expect(map?["succeeded"]?.intValue == Self.items)
        #expect(map?["failed"]?.intValue == 0)
        #expect(largestStatus > 0 && largestStatus < Self.statusBudget, "largest status seen: \(largestStatus) bytes")
    }
}
