import Testing
import CapstanAPI
@testable import CapstanEngine

/// SPEC §11: sub-workflow nodes, decided by the engine from the child Workflows it observes.
@Suite struct EngineSubWorkflowTests {
    private let metadata = ObjectMeta(name: "parent", namespace: "ml", uid: "uid-p", generation: 1)
    private let now = Timestamp(secondsSince1970: 1_000_000)

    private func step(_ yaml: String, status: WorkflowStatus = WorkflowStatus(), children: [ObservedPod] = [],
                      facts: ActionResults = ActionResults(), metadata: ObjectMeta? = nil) throws -> StepResult {
        var input = StepInput(metadata: metadata ?? self.metadata, compiled: WorkflowCompiler.compile(try YAMLDocuments.load(yaml)[0]),
                              status: status, facts: facts, now: now)
        input.children = children
        return WorkflowEngine().step(input)
    }

    private func child(_ phase: ObservedPod.Phase, outputs: String? = nil, reason: String? = nil, message: String? = nil) -> ObservedPod {
        var child = ObservedPod(name: PodNaming.name(workflow: "parent", uid: "uid-p", node: "call", index: nil, attempt: 0),
                                node: "call", attempt: 0, phase: phase)
        child.isChildWorkflow = true
        child.terminationMessage = outputs
        child.podReason = reason
        child.message = message
        return child
    }

    private let spec = "nodes: [{name: call, workflow: {templateRef: {name: score}}, inputs: {n: 3}, outputs: [score]}]"

    @Test func anAttemptIsAChildWorkflowOwnedAndLabelledByItsParent() throws {
        let result = try step(spec)
        let create = try #require(result.actions.compactMap { if case .createPod(let request) = $0 { return request } else { return nil } }.first)
        #expect(create.createsWorkflow)
        let manifest = create.manifest
        #expect(manifest["kind"] == "Workflow")
        #expect(manifest["spec"] == ["templateRef": ["name": "score"], "inputs": ["n": 3]])
        #expect(manifest["metadata"]?["labels"]?["capstan.dev/parent"] == "parent")
        #expect(manifest["metadata"]?["labels"]?["capstan.dev/depth"] == "1")
        #expect(manifest["metadata"]?["ownerReferences"]?[0]?["uid"] == "uid-p")
        #expect(manifest["metadata"]?["name"]?.stringValue == PodNaming.name(workflow: "parent", uid: "uid-p", node: "call", index: nil, attempt: 0),
                "deterministic: a create repeated after a crash is the same child")
    }

    private func running() -> WorkflowStatus {
        var status = WorkflowStatus()
        status.phase = .running
        status.startedAt = now
        var node = NodeStatus(phase: .running)
        node.attempts = 1
        node.startedAt = now
        status.nodes["call"] = node
        return status
    }

    @Test func theNodeTakesTheOutputsItDeclaresFromTheChild() throws {
        let result = try step(spec, status: running(), children: [child(.succeeded, outputs: #"{"score": 9, "extra": 1}"#)])
        let persisted = result.actions.compactMap { if case .persistOutputs(_, let outputs) = $0 { return outputs } else { return nil } }
        #expect(persisted == [["score": 9]], "only the declared output, saved for the nodes after it")
    }

    @Test func aChildWithoutADeclaredOutputFailsTheAttemptWithOutputsMissing() throws {
        let result = try step(spec, status: running(), children: [child(.succeeded, outputs: #"{"other": 1}"#)])
        let failure = try #require(result.status.nodes["call"]?.failures.last)
        #expect(failure.reason == .outputsMissing)
        #expect(failure.message == "child workflow \(child(.succeeded).name) has no output \"score\"; its outputs are other")
    }

    @Test func aFailedChildFailsTheAttemptWithItsReason() throws {
        let result = try step(spec, status: running(), children: [child(.failed, reason: "NodeFailed", message: "node t failed")])
        let failure = try #require(result.status.nodes["call"]?.failures.last)
        #expect(failure.reason == .error)
        #expect(failure.message == "child workflow \(child(.failed).name) failed: NodeFailed: node t failed")
        #expect(result.status.phase == .failed)
    }

    @Test func abortingTheParentAbortsItsRunningChildren() throws {
        let result = try step("abort: true\n" + spec, status: running(), children: [child(.running)])
        #expect(result.status.phase == .aborted)
        #expect(result.actions.contains(.abortChildWorkflow(name: child(.running).name)))
        #expect(!result.actions.contains { if case .deletePod = $0 { return true } else { return false } }, "a child is aborted, never deleted")
    }

    /// The parent's deadline bounds its children: when it passes, a running child is aborted
    /// like a pod is stopped, and the workflow fails with DeadlineExceeded.
    @Test func theParentsDeadlineAbortsItsRunningChildren() throws {
        var status = running()
        status.startedAt = Timestamp(secondsSince1970: now.secondsSince1970 - 60)
        let result = try step("activeDeadline: 30s\n" + spec, status: status, children: [child(.running)])
        #expect(result.status.phase == .failed)
        #expect(result.status.reason == "DeadlineExceeded")
        #expect(result.actions.contains(.abortChildWorkflow(name: child(.running).name)))
    }

    /// FailFast: another node's failure stops the sub-workflow node and aborts its child.
    @Test func aFailFastStopAbortsARunningChild() throws {
        var status = running()
        status.nodes["other"] = NodeStatus(phase: .running)
        status.nodes["other"]?.attempts = 1
        status.nodes["other"]?.startedAt = now
        var failed = ObservedPod(name: PodNaming.name(workflow: "parent", uid: "uid-p", node: "other", index: nil, attempt: 0),
                                 node: "other", attempt: 0, phase: .failed)
        failed.exitCode = 1
        var input = StepInput(metadata: metadata, compiled: WorkflowCompiler.compile(try YAMLDocuments.load("""
            failurePolicy: FailFast
            nodes:
              - {name: call, workflow: {templateRef: {name: score}}, inputs: {n: 3}, outputs: [score]}
              - {name: other, image: busybox}
            """)[0]), status: status, pods: [failed], now: now)
        input.children = [child(.running)]
        let result = WorkflowEngine().step(input)
        #expect(result.status.phase == .failed)
        #expect(result.status.nodes["call"]?.phase == .aborted)
        #expect(result.actions.contains(.abortChildWorkflow(name: child(.running).name)))
    }

    @Test func theTenthLevelStartsNoEleventh() throws {
        var deep = metadata
        deep.labels = ["capstan.dev/depth": "10"]
        let result = try step(spec, metadata: deep)
        let failure = try #require(result.status.nodes["call"]?.failures.last)
        #expect(failure.reason == .tooDeep)
        #expect(!result.actions.contains { if case .createPod = $0 { return true } else { return false } })
    }

    @Test(arguments: [
        ("nodes: [{name: c, workflow: {templateRef: {name: t}}, image: busybox}]", "spec.nodes[0].image"),
        ("nodes: [{name: c, workflow: {templateRef: {name: t}}, resources: {requests: {cpu: 1}}}]", "spec.nodes[0].resources"),
        ("nodes: [{name: c, workflow: {templateRef: {}}}]", "spec.nodes[0].workflow.templateRef.name"),
        ("nodes: [{name: c, workflow: {}}]", "spec.nodes[0].workflow.templateRef"),
        ("nodes: [{name: c, workflow: {templateRef: {name: t}}, sleep: 1s}]", "spec.nodes[0].workflow"),
        ("nodes: [{name: c, image: busybox, dynamic: true, outputs: [spec]}]", "spec.nodes[0].outputs"),
        ("nodes: [{name: c, image: busybox, dynamic: true, outputs: [workflow], map: {over: [1]}}]", "spec.nodes[0].dynamic"),
        ("nodes: [{name: c, workflow: {templateRef: {name: t}}, dynamic: true, outputs: [workflow]}]", "spec.nodes[0].dynamic"),
        ("nodes: [{name: c, sleep: 1s, dynamic: true}]", "spec.nodes[0].dynamic"),
    ])
    func podFieldsOnASubWorkflowNodeAreLocatedErrors(yaml: String, path: String) throws {
        guard case .failure(let error) = WorkflowCompiler.compile(try YAMLDocuments.load(yaml)[0]) else {
            Issue.record("\(yaml) compiled")
            return
        }
        #expect(error.diagnostics.contains { $0.path == path }, "\(error)")
    }

    @Test func defaultsForPodsDoNotMakeASubWorkflowNodeInvalid() throws {
        let compiled = try WorkflowCompiler.compile(try YAMLDocuments.load("defaults: {image: busybox, retries: 2}\n" + spec)[0]).get()
        #expect(compiled["call"]?.retries == 0, "defaults apply to tasks only")
    }
}
