import CapstanAPI

/// The pods of a node that has ended: each is collected (`PodDeletion`) as the saved
/// status records its attempt.
struct PodCollector {
    let podGC: PodGCPolicy

    func collect(_ pods: some Sequence<ObservedPod>, of node: NodeStatus, output: inout StepOutput) {
        for pod in pods {
            var succeeded = node.phase == .succeeded && (pod.phase == .succeeded || pod.mainHasExited)
            if let map = node.map, let index = pod.index, index >= 0, index < map.total {
                succeeded = succeeded && map.items[index] == .succeeded && pod.attempt == (map.retrying[index]?.attempt ?? pod.attempt)
            }
            output.collect(pod, saved: succeeded ? .succeeded : .failed, podGC: podGC)
        }
    }
}
