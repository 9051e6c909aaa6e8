import Testing
import CapstanAPI
@testable import CapstanEngine

@Suite struct EngineFailureTests {
    @Test func retriesSucceedOnTheThirdAttemptWithHistory() throws {
        var h = try EngineHarness("""
            defaults: {image: busybox}
            nodes: [{name: flaky, retries: 3, retryBackoff: {initial: 10s, factor: 2, max: 1m}}]
            """)
        h.script = { _, _, attempt in attempt < 2 ? .init(outcome: .failed, exitCode: 3) : .init() }
        #expect(h.runToCompletion().phase == .succeeded)
        let node = h.node("flaky")
        #expect(node.attempts == 3)
        #expect(node.userFailures == 2)
        #expect(node.failures.map(\.attempt) == [0, 1])
        #expect(node.failures.map(\.reason) == [.error, .error])
        #expect(node.failures.first?.exitCode == 3)
        let starts = h.created.map(\.at)
        #expect(starts[1] - starts[0] >= 11)   // 1s run + 10s backoff
        #expect(starts[2] - starts[1] >= 21)   // 1s run + 20s backoff
        #expect(h.events.contains { $0.reason == "AttemptFailed" })
    }

    @Test func exhaustedRetriesFailTheWorkflow() throws {
        var h = try EngineHarness("""
            defaults: {image: busybox, retryBackoff: {initial: 1s}}
            nodes: [{name: bad, retries: 1}, {name: after, dependsOn: [bad]}]
            """)
        h.script = { _, _, _ in .init(outcome: .failed, exitCode: 2) }
        let status = h.runToCompletion()
        #expect(status.phase == .failed)
        #expect(status.reason == "NodeFailed")
        #expect(h.node("bad").phase == .failed)
        #expect(h.node("bad").attempts == 2)
        #expect(h.node("after").phase == .aborted)
        #expect(status.condition("Stalled")?.status == true)
        #expect(status.condition("Ready")?.status == false)
        #expect(status.message?.contains("node bad failed") == true)
    }

    @Test(arguments: [
        ("OOMKilled" as String?, nil as String?, FailureReason.oomKilled, 137),
        (nil as String?, "DeadlineExceeded" as String?, FailureReason.deadlineExceeded, 1),
    ] as [(String?, String?, FailureReason, Int)])
    func failuresAreClassified(terminated: String?, podReason: String?, expected: FailureReason, exitCode: Int) throws {
        var h = try EngineHarness("defaults: {image: busybox}\nnodes: [{name: t}]")
        h.script = { _, _, _ in .init(outcome: .failed, exitCode: exitCode, podReason: podReason, terminatedReason: terminated) }
        h.runToCompletion()
        let failure = try #require(h.node("t").failures.first)
        #expect(failure.reason == expected)
        #expect(failure.exitCode == exitCode)
    }

    @Test func evictionRetriesAsASystemFailureWithoutUsingRetries() throws {
        var h = try EngineHarness("defaults: {image: busybox}\nnodes: [{name: t, retries: 0}]")
        h.script = { _, _, attempt in attempt == 0 ? .init(outcome: .failed, podReason: "Evicted") : .init() }
        #expect(h.runToCompletion().phase == .succeeded)
        #expect(h.node("t").systemFailures == 1)
        #expect(h.node("t").userFailures == 0)
        #expect(h.node("t").failures.first?.reason == .evicted)
    }

    @Test func systemRetriesAreBounded() throws {
        var h = try EngineHarness("defaults: {image: busybox}\nnodes: [{name: t, retries: 5}]")
        h.engine.config.systemRetries = 2
        h.script = { _, _, _ in .init(outcome: .failed, podReason: "Preempted") }
        #expect(h.runToCompletion().phase == .failed)
        #expect(h.node("t").attempts == 3)
        #expect(h.node("t").userFailures == 0)
    }

    @Test func interruptibleAttemptsLeaveSpotWhenOneMoreInterruptionWouldFail() throws {
        var h = try EngineHarness("defaults: {image: busybox}\nnodes: [{name: t, interruptible: true}]")
        h.engine.config.systemRetries = 1
        h.engine.config.spotNodeSelector = ["lifecycle": "spot"]
        h.engine.config.spotTolerations = [["key": "spot", "operator": "Exists", "effect": "NoSchedule"]]
        h.script = { _, _, attempt in attempt == 0 ? .init(outcome: .failed, podReason: "Preempted") : .init() }
        #expect(h.runToCompletion().phase == .succeeded)
        let specs = h.created.map { $0.request.manifest["spec"]! }
        #expect(specs[0]["nodeSelector"] == ["lifecycle": "spot"])
        #expect(specs[0]["tolerations"]?.arrayValue?.count == 1)
        #expect(specs[1]["nodeSelector"] == nil)
        #expect(specs[1]["tolerations"] == nil)
    }

    @Test func aPodDeletedByHandIsRetried() throws {
        var h = try EngineHarness("defaults: {image: busybox}\nnodes: [{name: t}]")
        h.script = { _, _, _ in .init(duration: 30) }
        _ = h.reconcile()
        h.pods.removeAll()
        let noticed = h.reconcile()
        #expect(noticed.requeueAfter == 0)
        _ = h.reconcile()
        #expect(h.node("t").failures.first?.reason == .podDeleted)
        #expect(h.node("t").systemFailures == 1)
        #expect(h.created.map(\.request.attempt) == [0, 1])
    }

    @Test func missingOutputsFailTheAttempt() throws {
        var h = try EngineHarness("defaults: {image: busybox}\nnodes: [{name: t, outputs: [model, score]}]")
        h.script = { _, _, _ in .init(outputs: ["model": "m.pt"]) }
        h.runToCompletion()
        let failure = try #require(h.node("t").failures.first)
        #expect(failure.reason == .outputsMissing)
        #expect(failure.message?.contains("\"score\"") == true)
    }

    @Test func unschedulablePodsFailAfterTheConfiguredWait() throws {
        var h = try EngineHarness("defaults: {image: busybox}\nnodes: [{name: t}]")
        h.engine.config.classifier.unschedulableTimeout = 60
        h.script = { _, _, _ in .init(unschedulable: true) }
        _ = h.reconcile()
        let first = h.reconcile()
        #expect(first.requeueAfter == 60)
        h.advance(by: 61)
        _ = h.reconcile()
        #expect(h.node("t").failures.first?.reason == .unschedulable)
        #expect(h.node("t").systemFailures == 1 && h.node("t").userFailures == 0, "no node fitting is the cluster's fault, not the task's")
        #expect(h.deleted.count == 1)
        h.runToCompletion(limit: 400)
        #expect(h.status.phase == .failed)
        #expect(h.node("t").failures.count == 4, "the first attempt and --system-retries 3")
    }

    /// A node whose one pod fits nowhere: 60 s to wait, 10 min for a node being added.
    private static func unschedulablePod() throws -> (EngineHarness, String) {
        var h = try EngineHarness("defaults: {image: busybox}\nnodes: [{name: t}]")
        h.engine.config.classifier.unschedulableTimeout = 60
        h.engine.config.classifier.scaleUpTimeout = 600
        h.script = { _, _, _ in .init(unschedulable: true) }
        _ = h.reconcile()
        return (h, try #require(h.created.first?.request.name))
    }

    @Test func aPodWaitingForAnAutoscaledNodeIsNotFailedWhileTheNodeIsOnItsWay() throws {
        var (h, name) = try Self.unschedulablePod()
        h.pods[name]!.pod.scaleUpAt = h.now + 10
        h.advance(by: 300)
        _ = h.reconcile()
        #expect(h.node("t").failures.isEmpty, "a scale-up is under way: waiting, not failing")
        #expect(h.deleted.isEmpty)
        // The node arrives: the pod is scheduled and runs.
        h.pods[name]!.pod.unschedulableSince = nil
        h.pods[name]!.pod.phase = .running
        h.pods[name]!.finishAt = h.now.secondsSince1970 + 5
        #expect(h.runToCompletion().phase == .succeeded)
        #expect(h.node("t").attempts == 1)
    }

    @Test func aScaleUpThatNeverDeliversFailsAsASystemFailure() throws {
        var (h, name) = try Self.unschedulablePod()
        h.pods[name]!.pod.scaleUpAt = h.now
        h.advance(by: 599)
        _ = h.reconcile()
        #expect(h.node("t").failures.isEmpty)
        h.advance(by: 1)
        _ = h.reconcile()
        let failure = try #require(h.node("t").failures.first)
        #expect(failure.reason == .unschedulable)
        #expect(failure.message?.contains("the node an autoscaler was adding did not arrive within 10m") == true, "\(failure.message ?? "")")
        #expect(h.node("t").systemFailures == 1)
    }

    @Test func failFastAbortsRunningNodesAndContinueKeepsGoing() throws {
        let spec = """
            defaults: {image: busybox}
            nodes:
              - {name: bad}
              - {name: slow}
              - {name: after-slow, dependsOn: [slow]}
              - {name: after-bad, dependsOn: [bad]}
            """
        var failFast = try EngineHarness("failurePolicy: FailFast\n" + spec)
        failFast.script = { node, _, _ in node == "bad" ? .init(duration: 1, outcome: .failed) : .init(duration: 20) }
        #expect(failFast.runToCompletion().phase == .failed)
        #expect(failFast.node("slow").phase == .aborted)
        #expect(failFast.node("after-slow").phase == .aborted)
        #expect(failFast.deleted.contains { $0.contains("slow") })
        #expect(!failFast.created.contains { $0.request.node == "after-slow" })

        var keepGoing = try EngineHarness("failurePolicy: Continue\n" + spec)
        keepGoing.script = failFast.script
        #expect(keepGoing.runToCompletion().phase == .failed)
        #expect(keepGoing.node("slow").phase == .succeeded)
        #expect(keepGoing.node("after-slow").phase == .succeeded)
        #expect(keepGoing.node("after-bad").phase == .aborted)
    }

    @Test func theWorkflowDeadlineStopsEverything() throws {
        var h = try EngineHarness("activeDeadline: 30s\ndefaults: {image: busybox}\nnodes: [{name: long}]")
        h.script = { _, _, _ in .init(duration: 3600) }
        let status = h.runToCompletion(tick: 5)
        #expect(status.phase == .failed)
        #expect(status.reason == "DeadlineExceeded")
        #expect(status.condition("Stalled")?.reason == "DeadlineExceeded")
        #expect(h.node("long").phase == .aborted)
        #expect(h.deleted.count == 1)
    }

    @Test func retriesNeverComeBeforeTheirBackoff() throws {
        var h = try EngineHarness("defaults: {image: busybox}\nnodes: [{name: t, retries: 1, retryBackoff: {initial: 1s}}]")
        h.now = Timestamp(secondsSince1970: 1_000_000.7)
        h.script = { _, _, attempt in attempt == 0 ? .init(duration: 0.1, outcome: .failed) : .init() }
        #expect(h.runToCompletion(tick: 0.1).phase == .succeeded)
        let starts = h.created.map(\.at)
        #expect(starts[1] - starts[0] >= 1.1)
    }

    @Test func abortingAMapLeavesNoItemRunning() throws {
        var h = try EngineHarness("defaults: {image: busybox}\nnodes: [{name: m, map: {over: [1, 2, 3], concurrency: 2}}]")
        h.script = { _, _, _ in .init(duration: 100) }
        _ = h.reconcile()
        h.compiled = WorkflowCompiler.compile(try YAMLDocuments.load("abort: true\ndefaults: {image: busybox}\nnodes: [{name: m, map: {over: [1, 2, 3], concurrency: 2}}]")[0])
        _ = h.reconcile()
        #expect(h.node("m").phase == .aborted)
        #expect(h.node("m").map?.running == 0)
        #expect(h.node("m").map?.failed == 2)
    }

    @Test func abortDeletesPodsAndAbortsNodes() throws {
        var h = try EngineHarness("defaults: {image: busybox}\nnodes: [{name: a}, {name: b, dependsOn: [a]}]")
        h.script = { _, _, _ in .init(duration: 100) }
        _ = h.reconcile()
        h.compiled = WorkflowCompiler.compile(try YAMLDocuments.load("abort: true\ndefaults: {image: busybox}\nnodes: [{name: a}, {name: b, dependsOn: [a]}]")[0])
        let result = h.reconcile()
        #expect(result.status.phase == .aborted)
        #expect(h.node("a").phase == .aborted)
        #expect(h.node("b").phase == .aborted)
        #expect(h.pods.isEmpty)
    }

    @Test func anInvalidSpecStallsTheWorkflow() throws {
        var h = try EngineHarness("nodes: [{name: a, dependsOn: [ghost]}]")
        let result = h.reconcile()
        #expect(result.status.phase == .failed)
        #expect(result.status.condition("Stalled")?.reason == "InvalidSpec")
        #expect(result.status.message?.contains("unknown node \"ghost\"") == true)
        #expect(result.status.message?.contains("image") == true)
        #expect(h.created.isEmpty)
    }
}
