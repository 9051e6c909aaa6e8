import ArgumentParser
import CapstanAPI
import CapstanKube
import Foundation

/// `capstan abort WF`: sets `spec.abort`, as `kubectl patch … -p '{"spec":{"abort":true}}'` would.
struct AbortCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "abort",
        abstract: "Abort a running Workflow: its pods are deleted and it ends Aborted.",
        discussion: """
            Examples:
              capstan abort train-sweep
              capstan abort train-sweep -n ml
            """)

    @OptionGroup var target: WorkflowTarget

    func run() async throws {
        try await target.withClient { client, namespace, workflow in
            do {
                _ = try await client.patch(.workflows, namespace: namespace, name: workflow, patch: .merge(["spec": ["abort": true]]))
            } catch let error as KubeError where error.isNotFound {
                FileHandleOutput.standardError("\(WorkflowNotFound(namespace: namespace, name: workflow))")
                throw ExitCode(1)
            }
            print("workflow.capstan.dev/\(workflow) aborted")
        }
    }
}
