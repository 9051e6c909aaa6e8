import Testing
import CapstanAPI
@testable import CapstanEngine

/// SPEC §12: an `approval` node runs no pod and waits, its message in the status, until
/// `spec.approvals` decides it or its timeout passes.
@Suite struct EngineApprovalTests {
    /// The release workflow, with `approvals` and the gate's timeout as each test needs.
    static func release(approvals: String = "", timeout: String = "") -> String {
        """
        inputs: {version: "1.2"}
        defaults: {image: busybox}
        \(approvals.isEmpty ? "" : "approvals: {\(approvals)}")
        nodes:
          - {name: build}
          - {name: gate, dependsOn: [build], approval: {message: "Ship {{ inputs.version }}?"\(timeout.isEmpty ? "" : ", timeout: \(timeout)")}}
          - {name: ship, dependsOn: [gate]}
        """
    }

    static func decide(_ h: inout EngineHarness, _ approvals: String) throws {
        h.compiled = WorkflowCompiler.compile(try YAMLDocuments.load(release(approvals: approvals))[0])
    }

    /// Runs until the gate waits; returns the last step's requeue.
    static func untilWaiting(_ h: inout EngineHarness) -> Double? {
        var requeue: Double?
        for _ in 0..<20 where h.node("gate").phase != .running {
            h.advance(by: 1)
            requeue = h.reconcile().requeueAfter
        }
        return requeue
    }

    @Test(arguments: [
        ("gate: Approved", NodePhase.succeeded, WorkflowPhase.succeeded, nil as FailureReason?, NodePhase.succeeded),
        ("gate: Rejected", .failed, .failed, .rejected, .aborted),
    ])
    func theDecisionEndsTheWait(approvals: String, gate: NodePhase, workflow: WorkflowPhase, reason: FailureReason?, ship: NodePhase) throws {
        var h = try EngineHarness(Self.release())
        let requeue = Self.untilWaiting(&h)
        #expect(h.node("gate").phase == .running)
        #expect(h.node("gate").message == "Ship 1.2?")
        #expect(requeue == nil, "without a timeout nothing is due: no polling")
        h.advance(by: 86400)
        _ = h.reconcile()
        #expect(h.node("gate").phase == .running, "it waits as long as it takes")
        #expect(h.status.phase == .running)
        try Self.decide(&h, approvals)
        #expect(h.runToCompletion().phase == workflow)
        #expect(h.node("gate").phase == gate)
        #expect(h.node("gate").failures.last?.reason == reason)
        #expect(h.node("ship").phase == ship)
        #expect(h.createdPods(of: "gate").isEmpty)
        let end = try #require(h.events.last { $0.node == "gate" })
        #expect(end.reason == (gate == .succeeded ? "NodeSucceeded" : "NodeFailed"))
        #expect(end.message.contains("Ship 1.2?"), "\(end.message)")
    }

    @Test func noDecisionWithinTheTimeoutFailsWithDeadlineExceeded() throws {
        var h = try EngineHarness(Self.release(timeout: "1h"))
        let requeue = try #require(Self.untilWaiting(&h))
        #expect(requeue == 3600, "woken exactly at the deadline")
        h.status = WorkflowStatus(json: h.status.json)
        h.advance(by: 3599)
        _ = h.reconcile()
        #expect(h.node("gate").phase == .running)
        h.advance(by: 1)
        _ = h.reconcile()
        #expect(h.node("gate").phase == .failed)
        #expect(h.node("gate").failures.last?.reason == .deadlineExceeded)
        #expect(h.node("gate").message?.hasPrefix("no decision within 1h") == true)
        #expect(h.runToCompletion().phase == .failed)
    }

    @Test(arguments: ["gate: Approved", "gate: Rejected"])
    func aDecisionGivenBeforeTheNodeStartsIsHonouredAsItStarts(approvals: String) throws {
        var h = try EngineHarness(Self.release(approvals: approvals))
        h.script = { node, _, _ in .init(duration: node == "build" ? 60 : 1) }
        _ = h.reconcile()
        #expect(h.node("gate").phase == .pending, "decided ahead, but still after build")
        h.runToCompletion()
        #expect(h.node("gate").phase == (approvals.hasSuffix("Approved") ? .succeeded : .failed))
        let ends = h.events.filter { $0.node == "gate" }.map(\.reason)
        #expect(ends.first == "NodeStarted")
    }

    @Test func abortStopsTheWait() throws {
        var h = try EngineHarness(Self.release())
        _ = Self.untilWaiting(&h)
        h.compiled = WorkflowCompiler.compile(try YAMLDocuments.load("abort: true\n" + Self.release())[0])
        _ = h.reconcile()
        #expect(h.status.phase == .aborted)
        #expect(h.node("gate").phase == .aborted)
        #expect(h.node("ship").phase == .aborted)
    }

    @Test func recoverFromReusesAnApprovedGateAndACompletedSleep() throws {
        let spec = """
            defaults: {image: busybox}
            approvals: {gate: Approved}
            nodes: [{name: nap, sleep: 1h}, {name: gate, dependsOn: [nap], approval: {message: ok?}}, {name: t, dependsOn: [gate]}]
            """
        var earlier = try EngineHarness(spec)
        earlier.runToCompletion(limit: 5000)
        #expect(earlier.status.phase == .succeeded)
        var metadata = earlier.metadata
        metadata.name = "earlier"
        let recoverable = RecoverableNode.all(in: metadata, status: earlier.status, storeURL: "")
        #expect(Set(recoverable.keys) == ["nap", "gate", "t"])

        // The retry drops the decision: only recovery may end the gate.
        var retry = try EngineHarness(spec.replacingOccurrences(of: "approvals: {gate: Approved}\n", with: ""))
        retry.recoverable = recoverable
        _ = retry.reconcile()
        #expect(retry.node("nap").phase == .succeeded && retry.node("nap").recovered)
        #expect(retry.node("gate").phase == .succeeded && retry.node("gate").recovered)

        // A different question is a different node: it asks again.
        var changed = try EngineHarness(spec.replacingOccurrences(of: "approvals: {gate: Approved}\n", with: "")
            .replacingOccurrences(of: "message: ok?", with: "message: really?"))
        changed.recoverable = recoverable
        _ = changed.reconcile()
        #expect(changed.node("gate").phase == .running)
    }

    @Test func aWaitingGateHoldsNoPlaceUnderParallelism() throws {
        var h = try EngineHarness("""
            parallelism: 1
            defaults: {image: busybox}
            nodes: [{name: gate, approval: {}}, {name: work}]
            """)
        _ = h.reconcile()
        #expect(h.node("gate").phase == .running)
        #expect(h.node("gate").message == "waiting for approval")
        #expect(h.createdPods(of: "work").count == 1)
    }

    @Test func aMessageThatCannotBeRenderedFailsTheNodeSayingWhy() throws {
        var h = try EngineHarness("""
            inputs: {cfg: {a: 1}}
            nodes: [{name: gate, approval: {message: "{{ inputs.cfg.b }}"}}]
            """)
        #expect(h.runToCompletion().phase == .failed)
        #expect(h.node("gate").message?.contains("cannot resolve approval.message") == true, "\(h.node("gate"))")
    }
}
