import CapstanAPI
import CapstanKube
import CapstanSupport
import Foundation

/// Follows a Workflow on a cluster until it finishes, showing its progress on standard error
/// as `capstan dev` does; returns the finished Workflow.
struct WorkflowWatch {
    let client: KubeClient
    let namespace: String
    let name: String
    let nodeNames: [String]
    var exitNodes: Set<String> = []
    var pollInterval: Duration = .seconds(1)

    func run() async throws -> JSONValue {
        let reporter = ProgressReporter(workflow: name)
        defer { reporter.finish() }
        let started = ContinuousClock.now
        while true {
            // The client already retries a busy or restarting API server; what it gives up on ends the watch.
            guard let object = try await client.getIfPresent(.workflows, namespace: namespace, name: name) else {
                throw WorkflowGone(namespace: namespace, name: name)
            }
            let status = WorkflowStatus(json: object["status"])
            let children = try await ChildRuns.list(client, namespace: namespace)
                .descendants(of: object["metadata"]?["uid"]?.stringValue ?? "").map { WorkflowStatus(json: $0["status"]) }
            reporter.update(RunProgress(status: status, nodeNames: nodeNames, exitNodes: exitNodes, children: children),
                            elapsed: (ContinuousClock.now - started).seconds)
            if status.phase.isTerminal { return object }
            try await Task.sleep(for: pollInterval)
        }
    }
}

/// The Workflow was deleted while it was watched.
struct WorkflowGone: Error, CustomStringConvertible {
    var namespace: String
    var name: String
    var description: String { "workflow \(namespace)/\(name) was deleted before it finished" }
}
