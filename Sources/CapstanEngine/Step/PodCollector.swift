import CapstanAPI

/// Decides which of a node's pods to delete once the saved status holds their outcome:
/// `podGC` for finished pods, and any pod still running for a node that has ended.
struct PodCollector {
    let podGC: PodGCPolicy

    func collect(_ pods: some Sequence<ObservedPod>, of node: NodeStatus, output: inout StepOutput) {
        for pod in pods where !pod.isDeleting {
            if pod.phase == .pending || pod.phase == .running || pod.phase == .unknown {
                if node.phase.isTerminal { output.actions.append(.deletePod(name: pod.name, reason: "node \(node.phase.rawValue.lowercased())")) }
                continue
            }
            var success = pod.phase == .succeeded && node.phase == .succeeded
            if let map = node.map, let index = pod.index, index >= 0, index < map.total {
                success = pod.phase == .succeeded && map.items[index] == .succeeded && pod.attempt == (map.retrying[index]?.attempt ?? pod.attempt)
            }
            if shouldDelete(success: success, failure: !success, podGC: podGC) {
                output.actions.append(.deletePod(name: pod.name, reason: "podGC \(podGC.rawValue)"))
            }
        }
    }
}
