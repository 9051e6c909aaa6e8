import ArgumentParser
import CapstanAPI
import CapstanKube
import Foundation

/// The approval node `capstan approve` and `capstan reject` decide, and the one way both
/// write a decision: a merge patch of `spec.approvals.NODE`, as
/// `kubectl patch cwf WF --type merge -p '{"spec":{"approvals":{"NODE":"Approved"}}}'` would.
struct ApprovalTarget: ParsableArguments {
    @Argument(help: "The Workflow's name.")
    var workflow: String
    @Argument(help: "The approval node.")
    var node: String
    @OptionGroup var cluster: ClusterOptions

    func decide(_ decision: ApprovalDecision) async throws {
        try await cluster.withClient { client, namespace in
            guard let object = try await client.getIfPresent(.workflows, namespace: namespace, name: workflow) else {
                throw Self.notFound(namespace: namespace, workflow: workflow)
            }
            if let problem = ApprovalCheck.problem(in: object, node: node) {
                FileHandleOutput.standardError("error: \(problem)")
                throw ExitCode(1)
            }
            let patch: JSONValue = ["spec": ["approvals": .object([node: .string(decision.rawValue)])]]
            do {
                _ = try await client.patch(.workflows, namespace: namespace, name: workflow, patch: .merge(patch))
            } catch let error as KubeError where error.isNotFound {
                throw Self.notFound(namespace: namespace, workflow: workflow)
            }
            print("workflow.capstan.dev/\(workflow) node \(node) \(decision == .approved ? "approved" : "rejected")")
        }
    }

    private static func notFound(namespace: String, workflow: String) -> ExitCode {
        FileHandleOutput.standardError("\(WorkflowNotFound(namespace: namespace, name: workflow))")
        return ExitCode(1)
    }
}

extension ApprovalDecision {
    /// `approve` or `reject`: the command that writes this decision.
    var command: String { self == .approved ? "approve" : "reject" }

    /// The help both commands share, in their own words.
    func configuration(abstract: String, outcome: String) -> CommandConfiguration {
        CommandConfiguration(
            commandName: command, abstract: abstract,
            discussion: """
                A node that has not started yet may be decided ahead; it \(outcome) as it starts.
                Examples:
                  capstan \(command) release gate
                  capstan \(command) release gate -n prod
                """)
    }
}

/// `capstan approve WF NODE`: the approval node succeeds and the nodes after it run.
struct ApproveCommand: AsyncParsableCommand {
    static let configuration = ApprovalDecision.approved.configuration(
        abstract: "Approve a Workflow's approval node: it succeeds and the workflow goes on.", outcome: "succeeds")

    @OptionGroup var approval: ApprovalTarget

    func run() async throws { try await approval.decide(.approved) }
}

/// `capstan reject WF NODE`: the approval node fails with reason `Rejected`.
struct RejectCommand: AsyncParsableCommand {
    static let configuration = ApprovalDecision.rejected.configuration(
        abstract: "Reject a Workflow's approval node: it fails with reason Rejected.", outcome: "fails")

    @OptionGroup var approval: ApprovalTarget

    func run() async throws { try await approval.decide(.rejected) }
}
