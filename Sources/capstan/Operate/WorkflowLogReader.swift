import CapstanAPI
import CapstanEngine
import CapstanKube
import Foundation

/// Reads the logs of a Workflow's pods through the API server for `capstan logs`: once, or
/// following the Workflow until it has finished.
struct WorkflowLogReader: Sendable {
    let client: KubeClient
    let namespace: String
    let workflow: String
    let uid: String
    let nodeOrder: [String]
    let node: String?
    let index: Int?
    let attempt: Int?

    /// How often `-f` looks for new attempts.
    var pollInterval: Duration = .seconds(1)

    /// Prints every selected pod's log as it is now; returns the pods that had one.
    func printAll() async throws -> Set<String> {
        var read = Set<String>()
        for pod in try await pods() where await print(pod, follow: false) {
            read.insert(pod.name)
        }
        return read
    }

    /// Streams each selected pod's log as soon as its container starts, until the Workflow has
    /// finished and every stream has ended; returns the pods read.
    func follow() async throws -> Set<String> {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var streaming = Set<String>()
            var sawFinish = false
            while true {
                for pod in try await pods() where pod.started && !streaming.contains(pod.name) {
                    streaming.insert(pod.name)
                    group.addTask { _ = await print(pod, follow: true) }
                }
                // One more look after the finish, so an attempt that started just before it is read too.
                if sawFinish { break }
                let current = try await client.getIfPresent(.workflows, namespace: namespace, name: workflow)
                sawFinish = current == nil || WorkflowStatus(json: current?["status"]).phase.isTerminal
                if !sawFinish { try await Task.sleep(for: pollInterval) }
            }
            try await group.waitForAll()
            return streaming
        }
    }

    /// Tells why nothing was printed, and where else the logs are.
    func explainMissing(_ status: WorkflowStatus) {
        let names = node.map { [$0] } ?? (nodeOrder + status.nodes.keys.filter { !nodeOrder.contains($0) }.sorted())
        let ran = names.filter { (status.nodes[$0]?.attempts ?? 0) > 0 }
        let what = node.map { "node \($0) of \(workflow)" } ?? workflow
        guard !ran.isEmpty else {
            FileHandleOutput.standardError("capstan logs: no pod of \(what) has started yet")
            return
        }
        FileHandleOutput.standardError("capstan logs: no pod of \(what) is left to read: finished pods are deleted once their outputs "
                                       + "are saved (podGC: OnSuccess, the default; podGC: Never keeps them)")
        for name in ran {
            let links = status.nodes[name]?.logLinks ?? [:]
            for key in links.keys.sorted() { FileHandleOutput.standardError("  \(name): logs \(key): \(links[key]!)") }
        }
    }

    private func pods() async throws -> [WorkflowPod] {
        let listed = try await client.listAll(.pods, namespace: namespace, options: ListOptions(labelSelector: "\(PodLabels.workflow)=\(workflow)"))
        return WorkflowPod.select(listed.items, workflowUID: uid, nodeOrder: nodeOrder, node: node, index: index, attempt: attempt)
    }

    /// Prints one pod's log line by line with its prefix; false when it had none to give.
    private func print(_ pod: WorkflowPod, follow: Bool) async -> Bool {
        do {
            for try await line in try await client.podLog(namespace: namespace, pod: pod.name, container: "main", follow: follow) {
                FileHandle.standardOutput.write(Data("\(pod.label): \(line)\n".utf8))
            }
            return true
        } catch let error as KubeError where error.isNotFound {
            return false
        } catch let error as KubeError where error.isBadRequest {
            // Not started: the kubelet's words say what it waits for (an image pull, a Secret).
            FileHandleOutput.standardError("\(pod.label): \(error.message)")
            return true
        } catch {
            FileHandleOutput.standardError("\(pod.label): cannot read the log: \(error)")
            return true
        }
    }
}
