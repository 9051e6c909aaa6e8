import ArgumentParser
import CapstanAPI
import CapstanKube
import Foundation

/// `capstan retry WF`: a new Workflow `WF-retry-N` with the same spec and `recoverFrom: WF`,
/// so every node that succeeded there is reused and only the rest runs (Flyte's "recover").
struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Run a Workflow again, reusing every node that succeeded (recoverFrom); prints the new name.",
        discussion: """
            Examples:
              capstan retry train-sweep          # creates train-sweep-retry-1
              capstan retry train-sweep -n ml
            """)

    @OptionGroup var target: WorkflowTarget

    func run() async throws {
        try await target.withClient { client, namespace, workflow in
            guard let earlier = try await client.getIfPresent(.workflows, namespace: namespace, name: workflow) else {
                FileHandleOutput.standardError("\(WorkflowNotFound(namespace: namespace, name: workflow))")
                throw ExitCode(1)
            }
            var spec = earlier["spec"] ?? [:]
            spec["recoverFrom"] = .string(workflow)
            spec["abort"] = nil
            // Approval nodes that succeeded there are reused; the others ask again rather
            // than repeat an old rejection.
            spec["approvals"] = nil
            var labels = earlier["metadata"]?["labels"] ?? [:]
            labels["capstan.dev/retry-of"] = .string(String(workflow.prefix(63)))
            // The first free WF-retry-N: an AlreadyExists answer moves on to the next number.
            for number in 1...1000 {
                let name = "\(workflow)-retry-\(number)"
                let object: JSONValue = [
                    "apiVersion": .string(Workflow.apiVersion), "kind": .string(Workflow.kind),
                    "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": labels],
                    "spec": spec,
                ]
                do {
                    _ = try await client.create(.workflows, namespace: namespace, object: object)
                    print(name)
                    return
                } catch let error as KubeError where error.isAlreadyExists {
                    continue
                }
            }
            throw ValidationError("\(workflow)-retry-1 to -1000 all exist")
        }
    }
}
