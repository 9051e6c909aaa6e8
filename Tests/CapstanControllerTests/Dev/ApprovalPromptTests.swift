import CapstanAPI
@testable import capstan
import Testing

/// What `capstan dev` prints for approval nodes, checked without running anything.
struct ApprovalPromptTests {
    @Test func eachWaitingGateIsAnnouncedOnceWithTheCommandThatDecidesIt() {
        var prompt = ApprovalPrompt(workflow: "release", approvalNodes: ["gate", "final"], kubeconfig: ".capstan/kubeconfig")
        var status = WorkflowStatus()
        status.nodes["gate"] = NodeStatus(phase: .pending)
        #expect(prompt.lines(for: status).isEmpty, "a gate not yet waiting is not announced")
        status.nodes["gate"]?.phase = .running
        status.nodes["gate"]?.message = "Ship it?"
        #expect(prompt.lines(for: status) == [
            "capstan dev: node gate is waiting for approval: Ship it?",
            "  capstan approve release gate --kubeconfig .capstan/kubeconfig   (or capstan reject)",
        ])
        #expect(prompt.lines(for: status).isEmpty, "announced once")
    }

    @Test func aRejectedGateIsReportedWithItsReasonAndNoLog() {
        var status = WorkflowStatus()
        status.phase = .failed
        var gate = NodeStatus(phase: .failed)
        gate.recordFailure(AttemptFailure(attempt: 0, reason: .rejected, message: "rejected: Ship it?", finishedAt: Timestamp(secondsSince1970: 0)))
        status.nodes["gate"] = gate
        let report = FailureReport(status: status, nodeNames: ["gate"], podless: ["gate"]) { _, _, _ in "/nonexistent" }
        #expect(report.lines == ["node gate failed: Rejected", "  message: rejected: Ship it?"])
    }
}
