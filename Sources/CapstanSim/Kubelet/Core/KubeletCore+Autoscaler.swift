/// The cluster autoscaler's half of the core: its verdicts on unschedulable pods become
/// Events, and a scale-up becomes a node registered once its delay has passed.
extension KubeletCore {
    mutating func considerScaleUp(_ pod: PendingPod, at moment: Moment, _ actions: inout [KubeletAction]) {
        guard let verdict = autoscaler?.consider(pod) else { return }
        let reference = PodReference(namespace: pod.namespace, name: pod.name, uid: pod.uid)
        switch verdict {
        case .declined(let event):
            actions.append(.recordEvent(reference, event))
        case .triggered(let event, let node, let delay):
            actions.append(.recordEvent(reference, event))
            timers.schedule(TimerEntry(key: node.name, uid: "", kind: .scaleUp), at: moment.after(delay))
        }
    }

    /// The new node is owned from now on, so its informer event is not dropped; once it is
    /// seen, the scheduler retries the parked pods and the one that asked for it fits there.
    mutating func nodeProvisioned(_ name: String, _ actions: inout [KubeletAction]) {
        guard let node = autoscaler?.provisioned(name) else { return }
        nodeIndexes[node.name] = node.index
        actions.append(.registerNode(node))
    }
}
