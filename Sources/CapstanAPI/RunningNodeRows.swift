/// `status.runningNodes`: in a workflow large enough to archive its nodes, the running nodes
/// that have nothing to say but that they run, one short row each, so a wide DAG whose
/// thousands of nodes run at once keeps its status small too. A row is
/// `NAME ATTEMPTS START` (whole seconds after the workflow started), rows `;`-separated.
/// The key and log links such a node would show are computed again when it ends.
public enum RunningNodeRows {
    /// Whether the status says no more of the node than a row does (a node waiting, retrying,
    /// refused or with a message keeps every detail).
    public static func canSummarise(_ node: NodeStatus) -> Bool {
        node.phase == .running && node.map == nil && node.failures.isEmpty && node.message == nil
            && node.retryAt == nil && node.createRefusals == 0 && node.createRetryAt == nil
            && node.userFailures == 0 && node.systemFailures == 0 && node.startedAt != nil
            && node.outputsURI == nil && !node.cached && !node.recovered && node.archivePosition == nil
    }

    public static func encode(_ nodes: [(String, NodeStatus)], workflowStartedAt: Timestamp?) -> String {
        let base = (workflowStartedAt?.secondsSince1970 ?? 0).rounded(.down)
        return nodes.sorted { $0.0 < $1.0 }.map { name, node in
            "\(name) \(node.attempts) \(Int((node.startedAt?.secondsSince1970 ?? base).rounded(.down) - base))"
        }.joined(separator: ";")
    }

    /// The running nodes the rows list; malformed rows are left out.
    public static func decode(_ text: String?, workflowStartedAt: Timestamp?) -> [String: NodeStatus] {
        let base = (workflowStartedAt?.secondsSince1970 ?? 0).rounded(.down)
        var nodes: [String: NodeStatus] = [:]
        for row in (text ?? "").split(separator: ";") {
            let fields = row.split(separator: " ")
            guard fields.count == 3, let attempts = Int(fields[1]), let start = Double(fields[2]) else { continue }
            var node = NodeStatus(phase: .running)
            node.attempts = attempts
            node.startedAt = Timestamp(secondsSince1970: base + start)
            nodes[String(fields[0])] = node
        }
        return nodes
    }
}
