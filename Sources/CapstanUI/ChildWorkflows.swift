import CapstanAPI

/// The child Workflows a parent's sub-workflow nodes started. A child carries the label
/// `capstan.dev/parent` (the parent's name) and, when the controller sets it, `capstan.dev/node`
/// (the node that started it); a child without the node label is matched to the parent's only
/// sub-workflow node, or to none if there are several.
struct ChildWorkflows: Sendable {
    static let parentLabel = "capstan.dev/parent"
    static let nodeLabel = "capstan.dev/node"

    private var byNode: [String: [Workflow]] = [:]

    init(children: [Workflow], graph: WorkflowGraph) {
        let subworkflowNodes = graph.nodes.filter { $0.kind == .workflow }.map(\.name)
        for child in children.sorted(by: { $0.metadata.name < $1.metadata.name }) {
            if let node = child.metadata.labels[Self.nodeLabel], subworkflowNodes.contains(node) {
                byNode[node, default: []].append(child)
            } else if subworkflowNodes.count == 1 {
                byNode[subworkflowNodes[0], default: []].append(child)
            }
        }
    }

    init() {}

    func of(_ node: String) -> [Workflow] { byNode[node] ?? [] }

    /// Links to the node's children with their phases, or nil when it has none yet.
    func links(_ node: String) -> String? {
        let children = of(node)
        guard !children.isEmpty else { return nil }
        return children.map { child in
            "<a href=\"\(URLText.workflow(namespace: child.metadata.namespace, name: child.metadata.name))\">"
                + "\(HTML.escape(child.metadata.name))</a> \(PhaseStyle(child.status.phase.rawValue).badge)"
        }.joined(separator: ", ")
    }
}
