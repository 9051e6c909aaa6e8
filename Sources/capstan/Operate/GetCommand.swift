import ArgumentParser
import CapstanAPI
import CapstanKube
import Foundation

/// `capstan get WF`: the Workflow as a tree of nodes (Argo's `argo get`), or the whole object
/// as JSON or YAML (`kubectl get -o`).
struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Show a Workflow: its phase, and each node's phase, attempts, duration, failures, log links and child workflows.",
        discussion: """
            Attempts are numbered from 0; train[3](1) is map item 3's attempt 1.
            Examples:
              capstan get train-sweep
              capstan get train-sweep -n ml -o yaml
            """)

    @OptionGroup var target: WorkflowTarget

    @Option(name: .shortAndLong, help: "tree, json or yaml.")
    var output = "tree"

    func validate() throws {
        guard ["tree", "json", "yaml"].contains(output) else {
            throw ValidationError("--output must be tree, json or yaml, not \"\(output)\"")
        }
    }

    func run() async throws {
        try await target.withClient { client, namespace, workflow in
            guard let object = try await client.getIfPresent(.workflows, namespace: namespace, name: workflow) else {
                FileHandleOutput.standardError("\(WorkflowNotFound(namespace: namespace, name: workflow))")
                throw ExitCode(1)
            }
            switch output {
            case "json": print(object.prettyPrinted())
            case "yaml": print(YAMLWriter.write(object), terminator: "")
            default:
                var tree = WorkflowTree(object: object, now: Timestamp(Date()))
                tree.children = try await ChildRuns.list(client, namespace: namespace, parent: workflow)
                    .children(of: object["metadata"]?["uid"]?.stringValue ?? "")
                print(tree.lines.joined(separator: "\n"))
            }
        }
    }
}
