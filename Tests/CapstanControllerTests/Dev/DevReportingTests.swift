import CapstanAPI
@testable import capstan
import Foundation
import Testing

/// What `capstan dev` prints, checked without running anything.
struct DevReportingTests {
    @Test func inputValuesAreJSONWhenTheyParseAndStringsOtherwise() throws {
        #expect(try InputOverride(parsing: "n=3").value == 3)
        #expect(try InputOverride(parsing: "rates=[0.1, 0.01]").value == [0.1, 0.01])
        #expect(try InputOverride(parsing: "flag=true").value == true)
        #expect(try InputOverride(parsing: "name=world").value == "world")
        #expect(try InputOverride(parsing: "quoted=\"3\"").value == "3")
        #expect(try InputOverride(parsing: "url=s3://b/k?x=1").value == "s3://b/k?x=1", "only the first = splits")
        #expect(try InputOverride(parsing: "empty=").value == "")
        #expect(throws: InputOverrideError.self) { try InputOverride(parsing: "=3") }
        #expect(throws: InputOverrideError.self) { try InputOverride(parsing: "noequals") }
    }

    @Test func overridesReplaceDeclaredInputsAndRejectUnknownOnes() throws {
        let workflow: JSONValue = ["metadata": ["name": "w"], "spec": ["inputs": ["name": "world", "n": 1], "nodes": []]]
        let applied = try InputOverride.apply([InputOverride(name: "n", value: 5)], to: workflow)
        #expect(applied["spec"]?["inputs"] == ["name": "world", "n": 5])
        #expect(applied["spec"]?["nodes"] == [])
        do {
            _ = try InputOverride.apply([InputOverride(name: "nmae", value: "x")], to: workflow)
            Issue.record("an unknown input was accepted")
        } catch {
            #expect(error.description == "--input nmae: spec.inputs has no \"nmae\"; the workflow's inputs are n, name")
        }
    }

    @Test func progressCountsNodesAndMapItems() {
        var status = WorkflowStatus()
        status.phase = .running
        status.nodes["a"] = NodeStatus(phase: .succeeded)
        status.nodes["b"] = NodeStatus(phase: .skipped)
        var map = NodeStatus(phase: .running)
        map.map = MapStatus(total: 4)
        map.map?.items[0] = .succeeded
        map.map?.items[1] = .failed
        map.map?.items[2] = .running
        status.nodes["m"] = map
        let progress = RunProgress(status: status, nodeNames: ["a", "b", "m", "z"])
        #expect(progress.nodes.total == 4)
        #expect(progress.nodes.done == 2 && progress.nodes.running == 1)
        #expect(progress.items.total == 4 && progress.items.done == 1 && progress.items.failed == 1 && progress.items.running == 1)
        #expect(ProgressText.line(workflow: "w", progress, elapsed: 2.25)
                == "w: Running · nodes 2/4 done, 1 running · items 1/4 done, 1 running, 1 failed · 2.3s")
        // 2 finished nodes + 2 finished items of 4 nodes + 4 items.
        #expect(progress.fractionFinished == 0.5)
    }

    @Test func progressCountsExitNodesAndChildWorkflowsApart() {
        var status = WorkflowStatus()
        status.phase = .running
        status.nodes = ["trials": NodeStatus(phase: .succeeded), "report": NodeStatus(phase: .running)]
        var failedChild = WorkflowStatus()
        failedChild.phase = .failed
        var runningChild = WorkflowStatus()
        runningChild.phase = .running
        var doneChild = WorkflowStatus()
        doneChild.phase = .succeeded
        let progress = RunProgress(status: status, nodeNames: ["trials", "best", "report", "cleanup"], exitNodes: ["report", "cleanup"],
                                   children: [doneChild, runningChild, failedChild])
        #expect(ProgressText.line(workflow: "sweep", progress, elapsed: 3)
                == "sweep: Running · nodes 1/2 done · child workflows 1/3 done, 1 running, 1 failed · onExit 0/2 done, 1 running · 3.0s")
        // One of the two main nodes finished; the children's count grows as they are created
        // and does not move the bar.
        #expect(progress.fractionFinished == 0.25)
    }

    @Test func theSummaryIndentsEachChildWorkflowUnderItsNode() {
        var child = WorkflowStatus()
        child.phase = .failed
        child.nodes = ["prep": NodeStatus(phase: .succeeded), "train": NodeStatus(phase: .failed)]
        var retried = child
        retried.phase = .succeeded
        retried.nodes["train"] = NodeStatus(phase: .succeeded)
        var status = WorkflowStatus()
        status.phase = .succeeded
        var trials = NodeStatus(phase: .succeeded)
        trials.attempts = 2
        status.nodes = ["trials": trials, "best": NodeStatus(phase: .succeeded)]
        var summary = RunSummary(workflow: "sweep", status: status, nodeNames: ["trials", "best"], elapsed: 9)
        summary.children["trials"] = [
            RunSummary(workflow: "sweep-trials-0", status: child, nodeNames: ["prep", "train"], elapsed: 2),
            RunSummary(workflow: "sweep-trials-1", status: retried, nodeNames: ["prep", "train"], elapsed: 3),
        ]
        #expect(summary.lines == [
            "sweep Succeeded in 9.0s",
            "  trials  Succeeded  2 attempts",
            "    child sweep-trials-0 Failed in 2.0s",
            "        prep   Succeeded",
            "        train  Failed",
            "    child sweep-trials-1 Succeeded in 3.0s",
            "        prep   Succeeded",
            "        train  Succeeded",
            "  best    Succeeded",
        ], "\(summary.lines.joined(separator: "\n"))")

        var empty = WorkflowStatus()
        empty.phase = .succeeded
        // A child's duration comes from its status's whole-second times, and says no more.
        for (elapsed, shown) in [(0.0, "under 1s"), (3.0, "3s"), (185.0, "3m05s")] {
            var child = RunSummary(workflow: "c", status: empty, nodeNames: [], elapsed: elapsed)
            child.elapsedInWholeSeconds = true
            #expect(child.lines.first == "c Succeeded in \(shown)")
        }
        summary.children["trials"] = (0..<12).map { RunSummary(workflow: "sweep-trials-\($0)", status: empty, nodeNames: [], elapsed: 1) }
        let childLines = summary.lines.filter { $0.hasPrefix("    ") }
        #expect(childLines.first == "    (2 earlier child workflows not shown)")
        #expect(childLines.dropFirst().map { $0.split(separator: " ")[1] } == (2..<12).map { "sweep-trials-\($0)" })
    }

    @Test func theBarNeverWrapsAndDurationsReadNaturally() {
        var status = WorkflowStatus()
        status.phase = .running
        let progress = RunProgress(status: status, nodeNames: ["only"])
        let bar = ProgressText.bar(workflow: "a-very-long-workflow-name", progress, elapsed: 1, width: 30, frame: 0)
        #expect(bar.count == 30 && bar.hasSuffix("…"))
        #expect(ProgressText.duration(0.25) == "250ms")
        #expect(ProgressText.duration(4.24) == "4.2s")
        #expect(ProgressText.duration(185) == "3m05s")
        #expect(ProgressText.duration(3720) == "1h02m")
    }

    @Test func theSummaryListsNodesInSpecOrderWithAttemptsCacheAndOutputs() {
        var status = WorkflowStatus()
        status.phase = .succeeded
        var slow = NodeStatus(phase: .succeeded)
        slow.cached = true
        var train = NodeStatus(phase: .succeeded)
        train.attempts = 3
        status.nodes = ["train": train, "slow": slow, "skip": NodeStatus(phase: .skipped)]
        status.outputs = ["best": 0.9]
        let summary = RunSummary(workflow: "w", status: status, nodeNames: ["slow", "train", "skip"], elapsed: 1.5,
                                 nodeOutputs: ["train": ["accuracy": 0.9]])
        #expect(summary.lines == [
            "w Succeeded in 1.5s",
            "  slow   Succeeded  cached",
            "  train  Succeeded  3 attempts, outputs {\"accuracy\":0.9}",
            "  skip   Skipped",
            "outputs:",
            "  best: 0.9",
        ])
    }

    @Test func theFailureReportShowsTheReasonTheLogAndItsLastLines() throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-dev-\(UUID().uuidString).log")
        try (1...30).map { "line \($0)" }.joined(separator: "\n").appending("\n").write(to: log, atomically: true, encoding: .utf8)
        var status = WorkflowStatus()
        status.phase = .failed
        var node = NodeStatus(phase: .failed)
        node.failures = [AttemptFailure(attempt: 1, index: 4, reason: .error, exitCode: 2, message: "boom",
                                        finishedAt: Timestamp(secondsSince1970: 0))]
        status.nodes = ["ok": NodeStatus(phase: .succeeded), "bad": node]
        let report = FailureReport(status: status, nodeNames: ["ok", "bad"], tailLines: 3) { name, index, attempt in
            name == "bad" && index == 4 && attempt == 1 ? log.path : "/nonexistent"
        }
        #expect(report.lines == [
            "node bad item 4 failed: Error, exit code 2 (attempt 2)",
            "  message: boom",
            "  log: \(log.path)",
            "  last 3 lines:",
            "  │ line 28",
            "  │ line 29",
            "  │ line 30",
        ])
    }
}
