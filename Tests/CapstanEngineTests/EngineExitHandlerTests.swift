import Testing
import CapstanAPI
@testable import CapstanEngine

/// SPEC §11: exit nodes (`spec.onExit`) run once the main nodes have all ended, whatever
/// became of them; the workflow stays `Running` until they end, then takes the main nodes'
/// result, or `Failed`/`ExitHandlerFailed` when an exit node failed after the main nodes succeeded.
@Suite struct EngineExitHandlerTests {
    static let workflow = """
        defaults: {image: busybox}
        nodes:
          - {name: train, outputs: [model]}
          - {name: publish, dependsOn: [train]}
        onExit:
          - name: notify
            inputs: {phase: "{{ workflow.phase }}", failures: "{{ workflow.failures }}"}
        """

    static func inputs(_ request: PodRequest?) -> JSONValue? {
        let env = request?.manifest["spec"]?["containers"]?[0]?["env"]?.arrayValue ?? []
        guard let text = env.first(where: { $0["name"]?.stringValue == "CAPSTAN_INPUTS" })?["value"]?.stringValue else { return nil }
        return try? JSONValue.parse(text)
    }

    static func failing(_ nodes: Set<String>, exitCode: Int = 3) -> (String, Int?, Int) -> EngineHarness.Script {
        { node, _, _ in
            nodes.contains(node) ? .init(duration: 5, outcome: .failed, exitCode: exitCode) : .init(duration: 5, outputs: ["model": "m-1", "url": "u"])
        }
    }

    @Test func afterTheMainNodesSucceedTheExitNodeRunsAndTheWorkflowWaitsForIt() throws {
        var h = try EngineHarness(Self.workflow)
        h.script = Self.failing([])
        _ = h.reconcile()
        #expect(h.node("notify").phase == .pending)
        #expect(h.status.progress == "0/3", "exit nodes count in progress")
        for _ in 0..<12 where h.createdPods(of: "notify").isEmpty {
            h.advance(by: 1)
            _ = h.reconcile()
        }
        let started = try #require(h.created.first { $0.request.node == "notify" })
        let publishEnd = try #require(h.node("publish").finishedAt)
        #expect(started.at >= publishEnd.secondsSince1970, "not before the last main node ended")
        #expect(h.status.phase == .running)
        #expect(h.status.dagResult?.phase == .succeeded)
        #expect(h.status.message == "2 of 3 nodes finished; the main nodes succeeded, exit nodes running")
        #expect(Self.inputs(started.request) == ["phase": "Succeeded", "failures": []])
        #expect(h.events.contains { $0.reason == "ExitNodesStarted" && $0.message.contains("running exit nodes notify") })
        #expect(!h.events.contains { $0.reason == "WorkflowSucceeded" }, "not before the exit node ends")

        // A controller restarted here reads how the main nodes ended from the saved status.
        h.status = WorkflowStatus(json: h.status.json)
        #expect(h.status.dagResult?.reason == "Succeeded")
        let status = h.runToCompletion()
        #expect(status.phase == .succeeded && status.reason == "Succeeded")
        #expect(status.progress == "3/3")
        #expect(h.createdPods(of: "notify").count == 1)
        #expect(h.events.filter { $0.reason == "WorkflowSucceeded" }.count == 1)
    }

    @Test func aMainPodIsDeletedOnlyOnceTheStatusThatStartsTheExitNodesIsSaved() throws {
        var h = try EngineHarness("defaults: {image: busybox}\nnodes: [{name: train, outputs: [model]}]\nonExit: [{name: notify}]")
        h.script = Self.failing([])
        var result = h.reconcile()
        for _ in 0..<12 where h.status.dagResult == nil {
            h.advance(by: 1)
            result = h.reconcile()
        }
        #expect(h.createdPods(of: "notify").count == 1, "the exit node starts in the step the main nodes end")
        let deleted = result.actions.filter { if case .deletePod = $0 { return true } else { return false } }
        #expect(deleted.isEmpty, "train's outcome is not saved yet: \(deleted)")
        _ = h.reconcile()
        #expect(h.deleted.count == 1 && h.deleted.first?.contains("train") == true, "\(h.deleted)")
    }

    @Test func afterAFailureTheExitNodeSeesWhatFailedAndTheWorkflowKeepsItsReason() throws {
        var h = try EngineHarness(Self.workflow)
        h.script = Self.failing(["train"])
        let status = h.runToCompletion()
        #expect(status.phase == .failed)
        #expect(status.reason == "NodeFailed")
        #expect(status.message?.hasPrefix("node train failed") == true, "\(status.message ?? "")")
        #expect(h.node("publish").phase == .aborted)
        #expect(h.node("notify").phase == .succeeded)
        let inputs = try #require(Self.inputs(h.createdPods(of: "notify").first))
        #expect(inputs["phase"] == "Failed")
        let failures = try #require(inputs["failures"]?.arrayValue)
        #expect(failures.count == 1, "publish never ran, so it is not a failure: \(failures)")
        #expect(failures.first?["node"] == "train" && failures.first?["reason"] == "Error")
        #expect(failures.first?["message"]?.stringValue?.isEmpty == false)
    }

    @Test func aFailedExitNodeFailsAWorkflowWhoseMainNodesSucceeded() throws {
        var h = try EngineHarness(Self.workflow)
        h.script = Self.failing(["notify"], exitCode: 7)
        let status = h.runToCompletion()
        #expect(status.phase == .failed)
        #expect(status.reason == "ExitHandlerFailed")
        #expect(status.message?.hasPrefix("the main nodes succeeded, but exit node notify failed") == true, "\(status.message ?? "")")
        #expect(status.condition("Stalled")?.reason == "ExitHandlerFailed")
        #expect(h.events.contains { $0.reason == "WorkflowFailed" && $0.message.contains("exit node notify failed") })
    }

    @Test func aFailedExitNodeAfterAFailedDAGKeepsTheMainReason() throws {
        var h = try EngineHarness(Self.workflow)
        h.script = Self.failing(["train", "notify"])
        let status = h.runToCompletion()
        #expect(status.phase == .failed)
        #expect(status.reason == "NodeFailed")
        #expect(status.message?.contains("node train failed") == true)
        #expect(status.message?.contains("exit node notify failed") == true, "\(status.message ?? "")")
    }

    @Test func exitNodesDependOnEachOtherAndReadMainOutputs() throws {
        var h = try EngineHarness("""
            defaults: {image: busybox}
            nodes: [{name: train, outputs: [model]}]
            onExit:
              - {name: upload, inputs: {model: "{{ nodes.train.outputs.model }}"}, outputs: [url]}
              - {name: announce, inputs: {url: "{{ nodes.upload.outputs.url }}"}}
              - {name: sweep, map: {over: [1, 2]}, command: [echo, "{{ item }}"]}
            """)
        h.script = Self.failing([])
        let status = h.runToCompletion()
        #expect(status.phase == .succeeded)
        #expect(Self.inputs(h.createdPods(of: "upload").first) == ["model": "m-1"])
        #expect(Self.inputs(h.createdPods(of: "announce").first) == ["url": "u"])
        let uploadEnd = try #require(h.node("upload").finishedAt)
        #expect(try #require(h.created.first { $0.request.node == "announce" }).at >= uploadEnd.secondsSince1970)
        #expect(h.createdPods(of: "sweep").count == 2, "a map runs as an exit node too")
    }

    @Test func anExitNodeThatReadsAFailedNodesOutputsIsSkippedAndTheOthersRun() throws {
        var h = try EngineHarness("""
            defaults: {image: busybox}
            nodes: [{name: train, outputs: [model]}]
            onExit:
              - {name: upload, command: [echo, "{{ nodes.train.outputs.model }}"]}
              - {name: alert, when: "workflow.phase == 'Failed'"}
              - {name: cheer, when: "workflow.phase == 'Succeeded'"}
            """)
        h.script = Self.failing(["train"])
        let status = h.runToCompletion()
        #expect(status.phase == .failed && status.reason == "NodeFailed")
        #expect(h.node("upload").phase == .skipped)
        #expect(h.node("upload").message == "skipped: it reads outputs of train (Failed), which did not succeed")
        #expect(h.node("alert").phase == .succeeded)
        #expect(h.node("cheer").phase == .skipped)
    }

    @Test func exitNodesRetrySleepAndWaitForApprovalLikeAnyNode() throws {
        var h = try EngineHarness("""
            defaults: {image: busybox}
            approvals: {confirm: Approved}
            nodes: [{name: train}]
            onExit:
              - {name: notify, retries: 1, retryBackoff: {initial: 1s}}
              - {name: settle, sleep: 20s}
              - {name: confirm, approval: {message: "done: {{ workflow.phase }}"}, dependsOn: [settle]}
            """)
        h.script = { node, _, attempt in node == "notify" && attempt == 0 ? .init(duration: 1, outcome: .failed) : .init(duration: 1) }
        let status = h.runToCompletion()
        #expect(status.phase == .succeeded, "\(status)")
        #expect(h.node("notify").attempts == 2)
        let settled = try #require(h.node("settle").finishedAt)
        let trainEnd = try #require(h.node("train").finishedAt)
        #expect(settled - trainEnd >= 20, "the sleep counts from when the exit nodes started")
        #expect(h.node("confirm").phase == .succeeded)
    }

    @Test func failFastAmongExitNodesStopsTheOthers() throws {
        var h = try EngineHarness("""
            defaults: {image: busybox}
            nodes: [{name: train}]
            onExit: [{name: quick}, {name: slow}, {name: after, dependsOn: [quick]}]
            """)
        h.script = { node, _, _ in node == "quick" ? .init(duration: 2, outcome: .failed) : .init(duration: 60) }
        let status = h.runToCompletion()
        #expect(status.reason == "ExitHandlerFailed")
        #expect(h.node("slow").phase == .aborted)
        #expect(h.node("slow").message == "stopped: exit node quick failed (failurePolicy FailFast)")
        #expect(h.node("after").phase == .aborted)
        #expect(h.createdPods(of: "after").isEmpty)
    }

    @Test func abortStopsTheMainNodesThenTheExitNodesRun() throws {
        let spec = Self.workflow
        var h = try EngineHarness(spec)
        h.script = { node, _, _ in .init(duration: node == "train" ? 600 : 5, outputs: ["model": "m"]) }
        _ = h.reconcile()
        h.advance(by: 10)
        h.compiled = WorkflowCompiler.compile(try YAMLDocuments.load("abort: true\n" + spec)[0])
        _ = h.reconcile()
        #expect(h.node("train").phase == .aborted)
        #expect(h.status.phase == .running, "the exit node still runs")
        #expect(h.createdPods(of: "notify").count == 1)
        let inputs = try #require(Self.inputs(h.createdPods(of: "notify").first))
        #expect(inputs["phase"] == "Failed")
        #expect(inputs["failures"] == [["node": "train", "reason": "Aborted", "message": "aborted by spec.abort"]])
        let status = h.runToCompletion()
        #expect(status.phase == .aborted && status.reason == "Aborted")
        #expect(h.node("notify").phase == .succeeded)
    }

    @Test func abortGivenWhileExitNodesRunStopsThem() throws {
        var h = try EngineHarness(Self.workflow)
        h.script = { node, _, _ in .init(duration: node == "notify" ? 600 : 1, outputs: ["model": "m"]) }
        for _ in 0..<10 where h.createdPods(of: "notify").isEmpty {
            _ = h.reconcile()
            h.advance(by: 1)
        }
        #expect(h.node("notify").phase == .running)
        h.compiled = WorkflowCompiler.compile(try YAMLDocuments.load("abort: true\n" + Self.workflow)[0])
        let result = h.reconcile()
        #expect(h.status.phase == .aborted)
        #expect(h.node("notify").phase == .aborted)
        #expect(h.status.message == "aborted by spec.abort, while exit nodes ran")
        #expect(result.actions.contains { if case .deletePod = $0 { return true } else { return false } })
    }

    @Test func exitNodesRunAfterTheDeadlineBoundedByTheirOwnTimeout() throws {
        var h = try EngineHarness("""
            activeDeadline: 10s
            defaults: {image: busybox}
            nodes: [{name: train}]
            onExit: [{name: cleanup, timeout: 1h, inputs: {failures: "{{ workflow.failures }}"}}]
            """)
        h.script = { node, _, _ in .init(duration: node == "train" ? 600 : 30) }
        let status = h.runToCompletion()
        #expect(status.phase == .failed && status.reason == "DeadlineExceeded")
        #expect(h.node("train").phase == .aborted)
        #expect(h.node("cleanup").phase == .succeeded, "it ran past the deadline: \(h.node("cleanup"))")
        let cleanupEnd = try #require(h.node("cleanup").finishedAt)
        let started = try #require(status.startedAt)
        #expect(cleanupEnd - started >= 30)
        #expect(Self.inputs(h.createdPods(of: "cleanup").first)?["failures"]?[0]?["reason"] == "Aborted")
    }

    @Test func recoverFromRunsExitNodesAgain() throws {
        var earlier = try EngineHarness(Self.workflow)
        earlier.script = Self.failing(["publish"])
        #expect(earlier.runToCompletion().phase == .failed)
        let recoverable = RecoverableNode.all(in: earlier.metadata, status: earlier.status, storeURL: "")
        #expect(Set(recoverable.keys) == ["train", "notify"])

        var retry = try EngineHarness(Self.workflow)
        retry.script = Self.failing([])
        retry.recoverable = recoverable
        retry.store = earlier.store
        #expect(retry.runToCompletion().phase == .succeeded)
        #expect(retry.node("train").recovered)
        #expect(!retry.node("notify").recovered)
        #expect(Self.inputs(retry.createdPods(of: "notify").first)?["phase"] == "Succeeded", "it answers to this run")
    }
}
