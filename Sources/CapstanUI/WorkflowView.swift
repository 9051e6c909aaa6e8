import CapstanAPI
import CapstanEngine
import CapstanSupport

/// One Workflow's page. The part that changes as the Workflow runs (`live`) is rendered here
/// both for the first load and for every Server-Sent Event, so the page and its updates can
/// never disagree; the script swaps it in whole.
struct WorkflowView {
    var workflow: Workflow
    var children: [Workflow] = []
    /// The time ages and running durations are measured to.
    var now: Timestamp
    /// The node whose details are open (`?node=`), rendered on the server so the page works
    /// without its script.
    var selected: String?

    private var graph: WorkflowGraph { WorkflowGraph(workflow: workflow) }

    /// The whole page; `detail` is the selected node's panel when one is open.
    func page(detail: String?) -> String {
        let meta = workflow.metadata
        let events = URLText.workflow(namespace: meta.namespace, name: meta.name) + "/events"
        let body = """
            <nav aria-label="Breadcrumb" class="crumbs"><a href="/">Workflows</a> / \(HTML.escape(meta.namespace)) / \(HTML.escape(meta.name))</nav>
            <div class="workflow" data-events="\(HTML.escape(events))">
            <section id="live" aria-labelledby="workflow-title">
            \(live)
            </section>
            <aside id="detail" aria-label="Node details" tabindex="-1">
            \(detail ?? "<p class=\"muted\">Select a node (Tab to it, then Enter) to see its attempts, failures, outputs and logs.</p>")
            </aside>
            </div>
            <p id="announce" class="sr-only" aria-live="polite"></p>
            """
        return HTML.document(title: meta.name, body: body)
    }

    /// The summary, the graph and the table of nodes.
    var live: String {
        let graph = self.graph
        let status = workflow.status
        let children = ChildrenByNode(children: self.children)
        var out = "<h1 id=\"workflow-title\" data-phase=\"\(status.phase.rawValue)\" data-progress=\"\(HTML.escape(status.progress))\">"
            + "\(HTML.escape(workflow.metadata.name)) \(PhaseStyle(status.phase.rawValue).badge)</h1>"
        out += facts
        out += "<figure class=\"graph\"><div class=\"scroll\">"
            + GraphSVG(graph: graph, workflowName: workflow.metadata.name, selected: selected).svg
            + "</div><figcaption>\(PhaseStyle.legend)</figcaption></figure>"
        out += nodeTable(graph, children: children)
        return out
    }

    private var facts: String {
        let meta = workflow.metadata
        let status = workflow.status
        var rows: [(String, String)] = [("Namespace", HTML.escape(meta.namespace))]
        var phase = status.phase.rawValue
        if let reason = status.reason, reason != phase { phase += " (\(reason))" }
        rows.append(("Phase", HTML.escape(phase)))
        if !status.progress.isEmpty { rows.append(("Progress", HTML.escape(status.progress) + " nodes finished")) }
        if let started = status.startedAt {
            rows.append(("Started", "<time datetime=\"\(started.rfc3339)\">\(started.rfc3339)</time>"))
            rows.append(("Duration", DurationText.short(max(0, (status.finishedAt ?? now) - started))))
        }
        if let parent = meta.labels[ChildWorkflows.parentLabel] {
            rows.append(("Parent", "<a href=\"\(URLText.workflow(namespace: meta.namespace, name: parent))\">\(HTML.escape(parent))</a>"))
        }
        if let message = status.message, !message.isEmpty { rows.append(("Message", HTML.escape(message))) }
        if let outputs = status.outputs, !outputs.isEmpty {
            rows.append(("Outputs", "<pre class=\"outputs\">\(HTML.escape(Truncated.text(JSONValue.object(outputs).prettyPrinted(), limit: 2000)))</pre>"))
        }
        return "<dl class=\"facts\">" + rows.map { "<dt>\($0.0)</dt><dd>\($0.1)</dd>" }.joined() + "</dl>"
    }

    /// The nodes again as a table: the same facts in the form screen readers and narrow
    /// screens handle best.
    private func nodeTable(_ graph: WorkflowGraph, children: ChildrenByNode) -> String {
        var out = "<div class=\"table-scroll\"><table class=\"nodes\"><caption>Nodes</caption><thead><tr><th scope=\"col\">Node</th><th scope=\"col\">Phase</th>"
            + "<th scope=\"col\">Attempts</th><th scope=\"col\">Items</th><th scope=\"col\">Duration</th><th scope=\"col\">Message</th></tr></thead><tbody>"
        for node in graph.nodes {
            let status = node.status
            var name = "<a href=\"?node=\(URLText.component(node.name))\" data-node=\"\(HTML.escape(node.name))\">\(HTML.escape(node.name))</a>"
            if node.isExit { name += " <span class=\"muted\">(onExit)</span>" }
            if node.kind == .workflow { name += " <span class=\"muted\">↳ \(HTML.escape(node.workflowRef ?? "sub-workflow"))</span>" }
            if let links = children.links(node.name) { name += "<br>" + links }
            let items = status.map.map { "<span aria-label=\"\($0.countsWords)\">\($0.countsText)</span>" } ?? ""
            let duration = status.startedAt.map { DurationText.short(max(0, (status.finishedAt ?? now) - $0)) } ?? ""
            let message = status.phase == .failed ? (status.failures.last?.message ?? status.message) : status.message
            out += "<tr><th scope=\"row\">\(name)</th><td>\(node.phase.badge)</td><td>\(status.attempts)</td><td>\(items)</td>"
                + "<td>\(duration)</td><td>\(HTML.escape(Truncated.line(message ?? "", limit: 160)))</td></tr>"
        }
        return out + "</tbody></table></div>"
    }
}

/// Long text cut to what a page can show, saying that it was cut.
enum Truncated {
    static func text(_ text: String, limit: Int) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(limit)) + "\n… (\(text.count - limit) more characters)"
    }

    /// The first line, clipped: a stack trace's first line says what broke.
    static func line(_ text: String, limit: Int) -> String {
        let first = text.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
        let clipped = first.count > limit ? String(first.prefix(limit - 1)) + "…" : first
        return text.contains("\n") ? clipped + " …" : clipped
    }
}
