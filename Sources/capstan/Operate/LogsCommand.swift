import ArgumentParser
import CapstanAPI
import CapstanEngine
import CapstanKube
import Foundation

/// `capstan logs WF [NODE]`: the `main` container's log of each of the Workflow's pods, read
/// through the API server (`pods/log`), each line prefixed with the node, item and attempt
/// that printed it. `-f` follows the Workflow: new attempts' logs join as their pods start,
/// and the command returns once the Workflow has finished and every log has ended.
struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Print a Workflow's logs, each line prefixed with node[item](attempt).",
        discussion: """
            Attempts and items are numbered from 0. Pods deleted after they finished (podGC) have no log
            left to read here; capstan says so and shows the node's log links instead.
            Examples:
              capstan logs train-sweep
              capstan logs train-sweep train --index 3 --attempt 1
              capstan logs train-sweep -f
            """)

    @OptionGroup var target: WorkflowTarget

    @Argument(help: "Only this node's pods.")
    var node: String?

    @Option(help: "Only this map item.")
    var index: Int?

    @Option(help: "Only this attempt (0 is the first).")
    var attempt: Int?

    @Flag(name: .shortAndLong, help: "Follow: print new lines and new attempts until the Workflow finishes.")
    var follow = false

    func validate() throws {
        if let index, index < 0 { throw ValidationError("--index must be 0 or more, not \(index)") }
        if let attempt, attempt < 0 { throw ValidationError("--attempt must be 0 or more, not \(attempt)") }
    }

    func run() async throws {
        try await target.withClient { client, namespace, workflow in
            guard let object = try await client.getIfPresent(.workflows, namespace: namespace, name: workflow) else {
                FileHandleOutput.standardError("\(WorkflowNotFound(namespace: namespace, name: workflow))")
                throw ExitCode(1)
            }
            // The main nodes, then the exit nodes, as they run.
            let nodeOrder = ((object["spec"]?["nodes"]?.arrayValue ?? []) + (object["spec"]?["onExit"]?.arrayValue ?? []))
                .compactMap { $0["name"]?.stringValue }
            let status = WorkflowStatus(json: object["status"])
            if let node, !nodeOrder.contains(node), status.nodes[node] == nil {
                FileHandleOutput.standardError("error: workflow \(workflow) has no node \"\(node)\"; its nodes are \(nodeOrder.joined(separator: ", "))")
                throw ExitCode(1)
            }
            let reader = WorkflowLogReader(client: client, namespace: namespace, workflow: workflow,
                                           uid: object["metadata"]?["uid"]?.stringValue ?? "", nodeOrder: nodeOrder,
                                           node: node, index: index, attempt: attempt)
            let printed = follow ? try await reader.follow() : try await reader.printAll()
            if printed.isEmpty { reader.explainMissing(status) }
        }
    }
}
