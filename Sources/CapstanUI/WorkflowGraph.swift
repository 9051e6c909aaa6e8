import CapstanAPI

/// A Workflow's nodes as the page draws them: read from the spec as written (JSON, not the
/// decoded `WorkflowSpec`) so that fields newer than this binary — `workflow:` on a node,
/// `spec.onExit` — are drawn when present and a spec that no longer decodes still shows.
struct WorkflowGraph: Sendable {
    struct Node: Sendable, Hashable {
        enum Kind: String, Sendable {
            case task, map, workflow
        }

        var name: String
        var kind: Kind
        var dependsOn: [String]
        /// Listed in `spec.onExit`: runs after the DAG, drawn apart from it.
        var isExit: Bool
        /// For a sub-workflow node: the template or Workflow its `workflow:` field names.
        var workflowRef: String?
        var status: NodeStatus

        var phase: PhaseStyle { PhaseStyle(status.phase.rawValue) }
    }

    var nodes: [Node]

    var mainNodes: [Node] { nodes.filter { !$0.isExit } }
    var exitNodes: [Node] { nodes.filter(\.isExit) }

    func node(_ name: String) -> Node? { nodes.first { $0.name == name } }

    init(nodes: [Node]) { self.nodes = nodes }

    init(workflow: Workflow) {
        let spec = workflow.spec
        let listed = Self.nodeList(spec["nodes"]).map { Self.node($0, isExit: false, status: workflow.status) }
        let exits = Self.nodeList(spec["onExit"]).map { Self.node($0, isExit: true, status: workflow.status) }
        var nodes = listed + exits
        // Nodes the status has that the spec no longer lists (an edited spec) are still shown.
        let known = Set(nodes.map(\.name))
        for name in workflow.status.nodes.keys.sorted() where !known.contains(name) {
            let status = workflow.status.nodes[name]!
            nodes.append(Node(name: name, kind: status.map == nil ? .task : .map, dependsOn: [], isExit: false,
                              workflowRef: nil, status: status))
        }
        self.nodes = nodes
    }

    /// `spec.onExit` may be a list of nodes or, in an older draft, an object holding one.
    private static func nodeList(_ value: JSONValue?) -> [JSONValue] {
        value?.arrayValue ?? value?["nodes"]?.arrayValue ?? []
    }

    private static func node(_ spec: JSONValue, isExit: Bool, status: WorkflowStatus) -> Node {
        let name = spec["name"]?.stringValue ?? "?"
        let workflowRef = spec["workflow"].flatMap { $0.stringValue ?? $0["name"]?.stringValue ?? $0["templateRef"]?.stringValue }
        let kind: Node.Kind = spec["workflow"] != nil ? .workflow : (spec["map"] != nil ? .map : .task)
        let dependsOn = (spec["dependsOn"]?.arrayValue ?? []).compactMap(\.stringValue)
        return Node(name: name, kind: kind, dependsOn: dependsOn, isExit: isExit, workflowRef: workflowRef,
                    status: status.nodes[name] ?? NodeStatus())
    }
}

extension MapStatus {
    /// `3/1/2 of 10`: succeeded, failed and running items of all of them.
    var countsText: String { "\(succeeded)/\(failed)/\(running) of \(total)" }

    /// The same in words, for screen readers.
    var countsWords: String { "\(succeeded) succeeded, \(failed) failed, \(running) running of \(total) items" }
}
