import CapstanAPI

/// The DAG as inline SVG, laid out by `DAGLayout`: one link per node (so Tab reaches each
/// node and Enter opens it, with no script), its phase as colour, glyph and words, a map's
/// item counts, a sub-workflow's double frame, and `spec.onExit` nodes in a frame of their
/// own below the DAG, since they run after it rather than as part of it.
struct GraphSVG {
    var graph: WorkflowGraph
    var workflowName: String
    /// The node whose details are open, drawn with a heavier frame.
    var selected: String?
    var metrics = DAGLayout.Metrics()

    /// Space between the DAG and the exit nodes' frame, which holds its caption.
    private let exitGap = 44.0

    var svg: String {
        let main = DAGLayout(nodes: graph.mainNodes.map { ($0.name, $0.dependsOn) }, metrics: metrics)
        let exits = DAGLayout(nodes: graph.exitNodes.map { ($0.name, $0.dependsOn) }, metrics: metrics)
        let exitTop = main.height + (graph.exitNodes.isEmpty ? 0 : exitGap)
        let width = max(main.width, exits.width, 240)
        let height = max(exitTop + exits.height, metrics.nodeHeight)
        var out = "<svg class=\"dag\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.number(width))\" height=\"\(Self.number(height))\" "
            + "viewBox=\"0 0 \(Self.number(width)) \(Self.number(height))\" role=\"group\" "
            + "aria-label=\"Nodes of \(HTML.escape(workflowName)), dependencies left to right\">"
        out += "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
            + "orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" class=\"arrowhead\"/></marker></defs>"
        out += edges(main, top: 0)
        if !graph.exitNodes.isEmpty {
            out += "<g class=\"exit-frame\" aria-hidden=\"true\"><rect x=\"2\" y=\"\(Self.number(exitTop - 30))\" "
                + "width=\"\(Self.number(width - 4))\" height=\"\(Self.number(exits.height + 30))\" rx=\"8\"/>"
                + "<text x=\"12\" y=\"\(Self.number(exitTop - 10))\">onExit — runs after the DAG finishes</text></g>"
            out += edges(exits, top: exitTop)
        }
        for node in graph.mainNodes { out += self.node(node, at: main.positions[node.name]!, top: 0) }
        for node in graph.exitNodes { out += self.node(node, at: exits.positions[node.name]!, top: exitTop) }
        return out + "</svg>"
    }

    private func edges(_ layout: DAGLayout, top: Double) -> String {
        var out = "<g class=\"edges\" aria-hidden=\"true\">"
        for edge in layout.edges {
            let from = layout.positions[edge.from]!
            let to = layout.positions[edge.to]!
            let x1 = from.x + metrics.nodeWidth, y1 = top + from.y + metrics.nodeHeight / 2
            let x2 = to.x, y2 = top + to.y + metrics.nodeHeight / 2
            let bend = (x2 - x1) / 2
            out += "<path class=\"edge\" marker-end=\"url(#arrow)\" d=\"M\(Self.number(x1)),\(Self.number(y1)) "
                + "C\(Self.number(x1 + bend)),\(Self.number(y1)) \(Self.number(x2 - bend)),\(Self.number(y2)) "
                + "\(Self.number(x2)),\(Self.number(y2))\"/>"
        }
        return out + "</g>"
    }

    private func node(_ node: WorkflowGraph.Node, at position: DAGLayout.Position, top: Double) -> String {
        let x = position.x, y = top + position.y, w = metrics.nodeWidth, h = metrics.nodeHeight
        let phase = node.phase
        let name = HTML.escape(node.name)
        var classes = "node \(phase.cssClass) kind-\(node.kind.rawValue)"
        if node.isExit { classes += " exit" }
        if node.name == selected { classes += " selected" }
        var out = "<a href=\"?node=\(URLText.component(node.name))\" id=\"node-\(name)\" class=\"\(classes)\" "
            + "data-node=\"\(name)\" data-phase=\"\(phase.phase)\" data-state=\"\(HTML.escape(Self.state(node.status)))\" "
            + "aria-label=\"\(HTML.escape(Self.spoken(node)))\">"
        out += "<title>\(name)</title>"
        if node.kind == .map {
            // A second frame behind the first: a stack of items.
            out += "<rect class=\"stack\" x=\"\(Self.number(x + 5))\" y=\"\(Self.number(y - 5))\" width=\"\(Self.number(w))\" height=\"\(Self.number(h))\" rx=\"6\"/>"
        }
        out += "<rect class=\"box\" x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" width=\"\(Self.number(w))\" height=\"\(Self.number(h))\" rx=\"6\"/>"
        if node.kind == .workflow {
            out += "<rect class=\"inner\" x=\"\(Self.number(x + 4))\" y=\"\(Self.number(y + 4))\" width=\"\(Self.number(w - 8))\" "
                + "height=\"\(Self.number(h - 8))\" rx=\"4\"/>"
        }
        out += "<text class=\"name\" x=\"\(Self.number(x + 10))\" y=\"\(Self.number(y + 21))\">"
            + "<tspan class=\"glyph\">\(phase.glyph)</tspan> \(HTML.escape(Self.clipped(node.name, 20)))</text>"
        out += "<text class=\"sub\" x=\"\(Self.number(x + 10))\" y=\"\(Self.number(y + 41))\">\(HTML.escape(Self.subtitle(node)))</text>"
        return out + "</a>"
    }

    /// The second line: the phase in words, then what kind of node says most about it.
    static func subtitle(_ node: WorkflowGraph.Node) -> String {
        var text = node.status.phase.rawValue
        if let map = node.status.map {
            text += " · items " + map.countsText
        } else if node.kind == .workflow {
            text += " · ↳ " + clipped(node.workflowRef ?? "workflow", 12)
        } else if node.status.attempts > 1 {
            text += " · \(node.status.attempts) attempts"
        }
        return text
    }

    /// What a screen reader says on reaching the node.
    static func spoken(_ node: WorkflowGraph.Node) -> String {
        var parts = [node.name, node.status.phase.rawValue]
        switch node.kind {
        case .map: parts.append("map" + (node.status.map.map { ", " + $0.countsWords } ?? ""))
        case .workflow: parts.append("sub-workflow" + (node.workflowRef.map { " " + $0 } ?? ""))
        case .task: break
        }
        if node.status.attempts > 0 { parts.append("\(node.status.attempts) attempt\(node.status.attempts == 1 ? "" : "s")") }
        if !node.dependsOn.isEmpty { parts.append("after " + node.dependsOn.joined(separator: ", ")) }
        if node.isExit { parts.append("runs on exit") }
        return parts.joined(separator: ", ")
    }

    /// Changes whenever anything the details panel shows changes, so the page reloads the
    /// panel only then.
    static func state(_ status: NodeStatus) -> String {
        let map = status.map.map { "\($0.succeeded)/\($0.failed)/\($0.running)" } ?? ""
        return "\(status.phase.rawValue):\(status.attempts):\(status.failures.count):\(map)"
    }

    static func clipped(_ text: String, _ limit: Int) -> String {
        text.count > limit ? String(text.prefix(limit - 1)) + "…" : text
    }

    /// Coordinates with at most one decimal, so the SVG stays small and diffs stay readable.
    static func number(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        return tenths.truncatingRemainder(dividingBy: 10) == 0 ? String(Int(tenths / 10)) : String(tenths / 10)
    }
}
