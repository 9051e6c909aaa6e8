import CapstanAPI
@testable import capstan
import Foundation
import Testing

/// What `capstan get` prints, checked on statuses built by hand.
struct WorkflowTreeTests {
    private let start = Timestamp(rfc3339: "2026-12-05T10:00:00Z")!

    private func tree(_ status: WorkflowStatus, nodes: [String], now: Double = 90) -> [String] {
        let object: JSONValue = [
            "metadata": ["name": "nightly", "namespace": "ml"],
            "spec": ["nodes": .array(nodes.map { ["name": .string($0)] })],
            "status": status.json,
        ]
        return WorkflowTree(object: object, now: start + now).lines
    }

    @Test func aFailedNodeShowsEachAttemptWithItsReasonAndLogLinks() {
        var status = WorkflowStatus()
        status.phase = .failed
        status.reason = "NodeFailed"
        status.message = "node train failed"
        status.startedAt = start
        status.finishedAt = start + 75
        var prep = NodeStatus(phase: .succeeded)
        prep.attempts = 1
        prep.cached = true
        status.nodes["prep"] = prep
        var train = NodeStatus(phase: .failed)
        train.attempts = 2
        train.startedAt = start + 1
        train.finishedAt = start + 75
        var first = AttemptFailure(attempt: 0, reason: .oomKilled, exitCode: 137, finishedAt: start + 30)
        first.logLinks = ["cloudwatch": "https://logs/train-0"]
        var second = AttemptFailure(attempt: 1, reason: .error, exitCode: 2, message: "loss is NaN\n  at step 40", finishedAt: start + 75)
        second.logLinks = ["cloudwatch": "https://logs/train-1"]
        train.failures = [first, second]
        train.logLinks = second.logLinks
        status.nodes["train"] = train

        #expect(tree(status, nodes: ["prep", "train", "report"]) == [
            "Name:      nightly",
            "Namespace: ml",
            "Phase:     Failed (NodeFailed)",
            "Message:   node train failed",
            "Started:   2026-12-05T10:00:00Z",
            "Finished:  2026-12-05T10:01:15Z",
            "Duration:  1m15s",
            "",
            "NODE       PHASE               ATTEMPTS  DURATION  MESSAGE",
            "├─ prep    Succeeded (cached)  1         -",
            "├─ train   Failed              2         1m14s     Error, exit code 2: loss is NaN …",
            "│  train(0) OOMKilled, exit code 137",
            "│    logs cloudwatch: https://logs/train-0",
            "│  train(1) Error, exit code 2: loss is NaN …",
            "│    logs cloudwatch: https://logs/train-1",
            "└─ report  Pending             -         -",
        ])
    }

    @Test func aRunningMapCountsItsItemsAndItsDurationRunsToNow() {
        var status = WorkflowStatus()
        status.phase = .running
        status.startedAt = start
        var map = MapStatus(total: 10)
        for index in 0..<6 { map.items[index] = .succeeded }
        map.items[6] = .running
        map.items[7] = .failed
        var sweep = NodeStatus(phase: .running)
        sweep.startedAt = start + 30
        sweep.attempts = 8
        sweep.map = map
        sweep.failures = [AttemptFailure(attempt: 0, index: 7, reason: .error, exitCode: 1, finishedAt: start + 40)]
        status.nodes["sweep"] = sweep

        let lines = tree(status, nodes: ["sweep"], now: 90)
        #expect(lines.contains("Duration:  1m30s"))
        #expect(lines.contains("└─ sweep  Running  8         1m00s"))
        #expect(lines.contains("   items: 6/10 succeeded, 1 running, 1 failed"))
        #expect(lines.contains("   sweep[7](0) Error, exit code 1"))
    }

    @Test func onlyTheLastFailuresAreListed() {
        var node = NodeStatus(phase: .failed)
        node.failures = (0..<8).map { AttemptFailure(attempt: $0, reason: .error, exitCode: 1, finishedAt: start) }
        var status = WorkflowStatus()
        status.nodes["t"] = node
        let lines = tree(status, nodes: ["t"])
        #expect(lines.contains("   (3 earlier failures not shown)"))
        #expect(!lines.contains { $0.contains("t(2) ") })
        #expect(lines.contains("   t(7) Error, exit code 1"))
    }
}
