import CapstanAPI

/// Runs an `approval` node: no pod; `Running` with its message in the status until
/// `spec.approvals` decides it (`Approved` succeeds it, `Rejected` fails it with reason
/// `Rejected`) or its timeout passes (`DeadlineExceeded`). A decision written before the node
/// started is honoured as it starts; one present when the timeout is also past wins, since
/// the person answered and only the controller was late to look.
struct ApprovalHandler {
    let pause: PauseNode
    let approval: CompiledApproval
    let decision: ApprovalDecision?
    let scope: ExpressionValues

    static let defaultMessage = "waiting for approval"

    func step(_ status: inout NodeStatus, output: inout StepOutput) {
        let question: String
        do {
            question = try approval.message?.renderText(scope) ?? ""
        } catch {
            pause.broken(&status, message: "cannot resolve approval.message: \(error.description)", output: &output)
            return
        }
        let waiting = question.isEmpty ? Self.defaultMessage : question
        if status.phase == .pending {
            let key = SHA256.hex(JSONValue.object([
                "approval": .string(question), "timeout": approval.timeout.map { .number($0.seconds) } ?? .null,
            ]).serialized())
            if pause.start(&status, key: key, waiting: { _ in waiting }, output: &output) { return }
        }
        let about = question.isEmpty ? "" : ": \(question)"
        switch decision {
        case .approved?:
            pause.succeed(&status, message: "approved\(about)", output: &output)
            return
        case .rejected?:
            pause.fail(&status, reason: .rejected, message: "rejected\(about)", output: &output)
            return
        case nil:
            break
        }
        if let timeout = approval.timeout {
            let deadline = pause.startedAt(status) + timeout.seconds
            if pause.now >= deadline {
                pause.fail(&status, reason: .deadlineExceeded, message: "no decision within \(timeout)\(about)", output: &output)
                return
            }
            output.wake(at: deadline)
        }
        status.message = waiting
    }
}
