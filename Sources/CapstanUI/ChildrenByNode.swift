import CapstanAPI
import CapstanEngine

/// A parent's child Workflows by the node that started them: sub-workflow nodes and dynamic
/// nodes (SPEC §11, §12). The controller labels each child with its parent
/// (`ChildWorkflows.parentLabel`) and node (`PodLabels.node`).
struct ChildrenByNode: Sendable {
    private var byNode: [String: [Workflow]] = [:]

    init(children: [Workflow]) {
        for child in children.sorted(by: { $0.metadata.name < $1.metadata.name }) {
            if let node = child.metadata.labels[PodLabels.node] { byNode[node, default: []].append(child) }
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
