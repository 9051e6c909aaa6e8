/// kube-scheduler's filter plugins that matter for batch pods, run in kube's order
/// (NodeUnschedulable, TaintToleration, NodeAffinity, NodeResourcesFit); the first plugin
/// that rejects a node gives the reasons, worded as kube words them.
enum SchedulingFilter {
    static let unschedulableTaint = Taint(key: "node.kubernetes.io/unschedulable", effect: "NoSchedule")

    /// Why `pod` cannot go to `node` given what is already placed there; empty when it fits.
    static func reasons(_ pod: PendingPod, node: NodeInfo, used: ResourceList) -> [String] {
        if node.unschedulable && !pod.tolerations.contains(where: { $0.tolerates(unschedulableTaint) }) {
            return ["node(s) were unschedulable"]
        }
        if let taint = node.taints.first(where: { taint in
            taint.blocksScheduling && !pod.tolerations.contains { $0.tolerates(taint) }
        }) {
            return ["node(s) had untolerated taint {\(taint.key): \(taint.value)}"]
        }
        if !pod.affinity.matches(labels: node.labels, name: node.name) {
            return ["node(s) didn't match Pod's node affinity/selector"]
        }
        var reasons: [String] = []
        if used[ResourceList.podCount] + 1 > node.allocatable[ResourceList.podCount] {
            reasons.append("Too many pods")
        }
        var free = node.allocatable
        free -= used
        reasons += pod.requests.insufficient(free: free).map { "Insufficient \($0)" }
        return reasons
    }

    /// kube's FitError text: `0/4 nodes are available: 1 Insufficient cpu, 3 node(s) didn't
    /// match Pod's node affinity/selector.` — one count per reason, sorted as text.
    static func unschedulableMessage(nodeCount: Int, reasons: [String]) -> String {
        guard nodeCount > 0 else { return "no nodes available to schedule pods" }
        var counts: [String: Int] = [:]
        for reason in reasons { counts[reason, default: 0] += 1 }
        let parts = counts.map { "\($0.value) \($0.key)" }.sorted()
        return "0/\(nodeCount) nodes are available: \(parts.joined(separator: ", "))."
    }
}
