import CapstanAPI

/// What `capstan dev` says when an approval node starts waiting: its message, and the
/// commands that decide it against this run's own API server. Each node is announced once.
public struct ApprovalPrompt: Sendable {
    public let workflow: String
    /// The workflow's approval nodes, in the order the spec lists them.
    public let approvalNodes: [String]
    /// The run's kubeconfig, as the person should type it.
    public let kubeconfig: String
    private var announced: Set<String> = []

    public init(workflow: String, approvalNodes: [String], kubeconfig: String) {
        self.workflow = workflow
        self.approvalNodes = approvalNodes
        self.kubeconfig = kubeconfig
    }

    /// Lines for the nodes that have started waiting since the last call.
    public mutating func lines(for status: WorkflowStatus) -> [String] {
        var lines: [String] = []
        for name in approvalNodes where !announced.contains(name) {
            guard let node = status.nodes[name], node.phase == .running else { continue }
            announced.insert(name)
            lines.append("capstan dev: node \(name) is waiting for approval: \(node.message ?? "")")
            lines.append("  capstan approve \(workflow) \(name) --kubeconfig \(kubeconfig)   (or capstan reject)")
        }
        return lines
    }
}
