import CapstanAPI

/// What the whole workflow must know about its nodes that run no pod: which they are, and
/// whether `spec.approvals` names only approval nodes.
enum PauseNodes {
    /// `sleep` or `approval`, by node name; tasks are left out.
    static func kinds(_ nodes: [NodeSpec]) -> [String: String] {
        var kinds: [String: String] = [:]
        for node in nodes {
            if node.approval != nil {
                kinds[node.name] = "approval"
            } else if node.sleep != nil {
                kinds[node.name] = "sleep"
            }
        }
        return kinds
    }

    /// A decision for a node that does not exist or does not wait for one is an error, like
    /// any other reference to an unknown node: it is a typo that would otherwise leave the
    /// real approval node waiting. `capstan approve` checks the same before it writes.
    static func checkApprovals(_ spec: WorkflowSpec, problems: ProblemList) {
        let all = spec.nodes + spec.onExit
        let approvalNodes = Set(all.filter { $0.approval != nil }.map(\.name))
        let known = Set(all.map(\.name))
        for name in spec.approvals.keys.sorted() where !approvalNodes.contains(name) {
            let path = "spec.approvals.\(name)"
            if known.contains(name) {
                problems.add(path, "node \"\(name)\" is not an approval node; only approval nodes take a decision")
            } else {
                problems.add(path, "unknown node \"\(name)\"\(suggestion(for: name, among: approvalNodes))")
            }
        }
    }
}
