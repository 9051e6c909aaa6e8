import CapstanAPI
import CapstanEngine
import CapstanKube
import Foundation
import Logging

/// Reads what a node's panel shows beyond the status, once, when the panel opens: the end of
/// the logs of the node's latest pods (through pods/log, with the user's own credentials), and
/// its outputs when they are in a folder this process can read (`capstan dev`'s store).
struct NodeEvidenceReader: Sendable {
    let client: KubeClient
    var logger = Logger(label: "capstan.ui.logs")
    /// Pods shown per node: the latest attempts (or items) first.
    var podsShown = 3
    var linesShown = 60
    var timeout: Duration = .seconds(5)

    func read(workflow: Workflow, node: WorkflowGraph.Node) async -> NodeEvidence {
        var evidence = NodeEvidence()
        evidence.outputs = Self.localOutputs(node.status.outputsURI)
        guard node.status.attempts > 0 || node.status.map != nil else { return evidence }
        let selector = "\(PodLabels.workflow)=\(workflow.metadata.name),\(PodLabels.node)=\(node.name)"
        let listed: ObjectList
        do {
            listed = try await client.listAll(.pods, namespace: workflow.metadata.namespace, options: ListOptions(labelSelector: selector))
        } catch {
            logger.warning("cannot list the node's pods", metadata: ["workflow": "\(workflow.metadata.name)", "node": "\(node.name)",
                                                                     "error": "\(error)"])
            evidence.logs = [NodeEvidence.LogTail(pod: "-", label: node.name, lines: [], note: "cannot list the pods: \(error)")]
            return evidence
        }
        let pods = WorkflowPod.select(listed.items, workflowUID: workflow.metadata.uid, nodeOrder: [node.name],
                                      node: node.name, index: nil, attempt: nil)
        for pod in pods.suffix(podsShown).reversed() {
            evidence.logs.append(await tail(pod, namespace: workflow.metadata.namespace))
        }
        return evidence
    }

    private func tail(_ pod: WorkflowPod, namespace: String) async -> NodeEvidence.LogTail {
        var result = NodeEvidence.LogTail(pod: pod.name, label: pod.label, lines: [])
        guard pod.started else {
            result.note = "not started yet"
            return result
        }
        let limit = linesShown
        do {
            result.lines = try await withThrowingTaskGroup(of: [String]?.self) { group in
                group.addTask {
                    var lines: [String] = []
                    for try await line in try await client.podLog(namespace: namespace, pod: pod.name, container: "main", follow: false) {
                        lines.append(line)
                        if lines.count > limit { lines.removeFirst(lines.count - limit) }
                    }
                    return lines
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                let first = try await group.next()!
                group.cancelAll()
                guard let lines = first else { throw LogTimeout() }
                return lines
            }
            if result.lines.isEmpty { result.note = "the log is empty" }
        } catch let error as KubeError where error.isNotFound {
            result.note = "the pod is gone"
        } catch let error as KubeError where error.isBadRequest {
            result.note = error.message
        } catch {
            result.note = "cannot read the log: \(error)"
        }
        return result
    }

    /// The first few kilobytes of a `file://` outputs object; nil for any other store, which
    /// this process has no credentials for.
    static func localOutputs(_ uri: String?) -> String? {
        guard let uri, let url = URL(string: uri), url.isFileURL,
              let handle = FileHandle(forReadingAtPath: url.path) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: 8192) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    private struct LogTimeout: Error, CustomStringConvertible {
        var description: String { "the log did not arrive in time" }
    }
}
