import CapstanAPI
import CapstanController
import CapstanKube
import CapstanSupport
import Foundation
import Logging

/// One workflow run against a started `DevCluster`: create the Secrets, then the Workflow,
/// follow its status until it finishes, and turn Ctrl-C into `spec.abort`.
struct DevRun {
    let cluster: DevCluster
    let workflow: DevWorkflow
    let secrets: [DevSecret]
    /// WorkflowTemplate objects, created before the Workflow that runs one.
    var templates: [JSONValue] = []
    let signals: SignalTrap
    let reporter: ProgressReporter
    let logger: Logger
    /// The run's kubeconfig as the person types it, for the approval prompt.
    let kubeconfig: String

    /// How the run ended: the Workflow as last read, and whether a signal cut it short.
    struct Outcome {
        var object: JSONValue
        var elapsed: Double
        var interrupted: Bool
        /// Child Workflows of sub-workflow and dynamic nodes, as last read.
        var children = ChildRuns([])
        var status: WorkflowStatus { WorkflowStatus(json: object["status"]) }
        var name: String { object["metadata"]?["name"]?.stringValue ?? "" }
        var uid: String { object["metadata"]?["uid"]?.stringValue ?? "" }
    }

    /// How often the status is read; the API server is in this process, so this is cheap.
    static let pollInterval = Duration.milliseconds(200)
    /// How long an abort may take to delete the pods and settle before the run stops anyway.
    static let abortGrace = Duration.seconds(10)

    func execute() async throws -> Outcome {
        for secret in secrets {
            _ = try await cluster.client.create(.secrets, namespace: "default", object: secret.object)
        }
        for template in templates {
            _ = try await cluster.client.create(.workflowTemplates, namespace: "default", object: template)
        }
        let created = try await cluster.client.create(.workflows, namespace: "default", object: workflow.object)
        let name = created["metadata"]?["name"]?.stringValue ?? ""
        let started = ContinuousClock.now
        var latest = created
        var children = ChildRuns([])
        var abortRequested: ContinuousClock.Instant?
        var failedReads = 0
        var prompt = ApprovalPrompt(workflow: name, approvalNodes: workflow.approvalNodes, kubeconfig: kubeconfig)
        while true {
            let elapsed = (ContinuousClock.now - started).seconds
            if signals.count > 0 && abortRequested == nil {
                reporter.note("capstan dev: \(signals.lastSignalName) received, aborting \(name) (again to stop at once)")
                abortRequested = .now
                await requestAbort(name)
            }
            if signals.count > 1 {
                reporter.note("capstan dev: stopping now")
                return Outcome(object: latest, elapsed: elapsed, interrupted: true, children: children)
            }
            if let abortRequested, ContinuousClock.now - abortRequested > Self.abortGrace {
                reporter.note("capstan dev: the abort did not finish within \(Self.abortGrace); stopping")
                return Outcome(object: latest, elapsed: elapsed, interrupted: true, children: children)
            }
            do {
                latest = try await cluster.client.get(.workflows, namespace: "default", name: name)
                children = try await ChildRuns.list(cluster.client, namespace: "default")
                failedReads = 0
            } catch {
                failedReads += 1
                logger.warning("reading the workflow failed", metadata: ["error": "\(error)"])
                if failedReads > 50 { throw error }
            }
            let status = WorkflowStatus(json: latest["status"])
            prompt.lines(for: status).forEach(reporter.note)
            let descendants = children.descendants(of: latest["metadata"]?["uid"]?.stringValue ?? "").map { WorkflowStatus(json: $0["status"]) }
            reporter.update(RunProgress(status: status, nodeNames: workflow.nodeNames, exitNodes: workflow.exitNodes, children: descendants),
                            elapsed: elapsed)
            if status.phase.isTerminal {
                return Outcome(object: latest, elapsed: elapsed, interrupted: abortRequested != nil, children: children)
            }
            try? await Task.sleep(for: Self.pollInterval)
        }
    }

    private func requestAbort(_ name: String) async {
        do {
            _ = try await cluster.client.patch(.workflows, namespace: "default", name: name, patch: .merge(["spec": ["abort": true]]))
        } catch {
            reporter.note("capstan dev: could not abort \(name): \(error)")
        }
    }
}
