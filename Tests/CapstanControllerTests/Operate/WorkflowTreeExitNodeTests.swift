import CapstanAPI
@testable import capstan
import Foundation
import Testing

/// `capstan get` and `capstan dev` list exit nodes (`spec.onExit`) apart, after the main nodes.
struct WorkflowTreeExitNodeTests {
    private let start = Timestamp(rfc3339: "2026-12-05T10:00:00Z")!

    private var status: WorkflowStatus {
        var status = WorkflowStatus()
        status.phase = .running
        status.startedAt = start
        status.nodes["train"] = NodeStatus(phase: .failed)
        var notify = NodeStatus(phase: .running)
        notify.attempts = 1
        notify.startedAt = start + 10
        status.nodes["notify"] = notify
        status.nodes["cleanup"] = NodeStatus(phase: .pending)
        return status
    }

    @Test func theTreeListsExitNodesBelowOnExit() {
        let object: JSONValue = [
            "metadata": ["name": "nightly", "namespace": "ml"],
            "spec": ["nodes": [["name": "train"]], "onExit": [["name": "notify"], ["name": "cleanup"]]],
            "status": status.json,
        ]
        let lines = WorkflowTree(object: object, now: start + 40).lines
        #expect(Array(lines.suffix(5)) == [
            "NODE        PHASE    ATTEMPTS  DURATION  MESSAGE",
            "└─ train    Failed   -         -",
            "onExit",
            "├─ notify   Running  1         30.0s",
            "└─ cleanup  Pending  -         -",
        ], "\(lines.joined(separator: "\n"))")
    }

    @Test func theDevSummaryListsExitNodesAfterALineOnExit() {
        var summary = RunSummary(workflow: "nightly", status: status, nodeNames: ["train", "notify", "cleanup"], elapsed: 40)
        summary.exitNodes = ["notify", "cleanup"]
        let names = summary.lines.dropFirst().map { $0.split(separator: " ").first.map(String.init) ?? "" }
        #expect(names == ["train", "onExit:", "notify", "cleanup"], "\(summary.lines)")
    }
}
