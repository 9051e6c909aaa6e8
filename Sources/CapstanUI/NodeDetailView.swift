import CapstanAPI
import CapstanSupport

/// The panel a selected node opens: its attempts, each failure with its reason, message and
/// log links, its outputs and where they are stored, and the end of its pods' logs.
struct NodeDetailView {
    var node: WorkflowGraph.Node
    var children: [Workflow] = []
    var evidence = NodeEvidence()
    var now: Timestamp

    var html: String {
        let status = node.status
        var out = "<h2 id=\"detail-title\" tabindex=\"-1\" data-node=\"\(HTML.escape(node.name))\">"
            + "\(HTML.escape(node.name)) \(node.phase.badge)</h2>"
        out += facts
        if let map = status.map {
            out += "<p class=\"map-counts\">Items: <strong>\(map.countsText)</strong> (\(map.countsWords))</p>"
        }
        if !children.isEmpty {
            out += "<h3>Sub-workflow</h3><ul class=\"children\">"
            for child in children {
                let link = URLText.workflow(namespace: child.metadata.namespace, name: child.metadata.name)
                out += "<li><a href=\"\(link)\">\(HTML.escape(child.metadata.name))</a> \(PhaseStyle(child.status.phase.rawValue).badge)"
                out += " <span class=\"muted\">\(HTML.escape(child.status.progress))</span>"
                out += childNodes(child) + "</li>"
            }
            out += "</ul>"
        }
        out += failures
        out += outputs
        out += Self.linkList(status.logLinks, heading: "<h3>Log links (latest attempt)</h3>")
        out += logs
        return out
    }

    private var facts: String {
        let status = node.status
        var rows: [(String, String)] = [("Kind", node.isExit ? "\(node.kind.rawValue), onExit" : node.kind.rawValue)]
        if let ref = node.workflowRef { rows.append(("Runs", HTML.escape(ref))) }
        if !node.dependsOn.isEmpty { rows.append(("After", HTML.escape(node.dependsOn.joined(separator: ", ")))) }
        var attempts = "\(status.attempts)"
        if status.userFailures + status.systemFailures > 0 {
            attempts += " (\(status.userFailures) failed, \(status.systemFailures) system failures retried)"
        }
        rows.append(("Attempts", attempts))
        if let started = status.startedAt {
            rows.append(("Started", started.rfc3339))
            rows.append(("Duration", DurationText.short(max(0, (status.finishedAt ?? now) - started))))
        }
        if let retryAt = status.retryAt, !status.phase.isTerminal { rows.append(("Next attempt", retryAt.rfc3339)) }
        if status.cached { rows.append(("Cached", "outputs reused from the cache")) }
        if status.recovered { rows.append(("Recovered", "outputs reused from spec.recoverFrom")) }
        if status.archivePosition != nil {
            rows.append(("Archived", "this large workflow keeps one row for the node; its full status is <code>"
                         + HTML.escape(node.name) + "/node.json</code> in the store"))
        }
        if let message = status.message, !message.isEmpty { rows.append(("Message", HTML.escape(message))) }
        return "<dl class=\"facts\">" + rows.map { "<dt>\($0.0)</dt><dd>\($0.1)</dd>" }.joined() + "</dl>"
    }

    /// A child Workflow's nodes, expanded in place, so a sub-workflow reads without leaving the page.
    private func childNodes(_ child: Workflow) -> String {
        let graph = WorkflowGraph(workflow: child)
        guard !graph.nodes.isEmpty else { return "" }
        return "<ul class=\"child-nodes\">" + graph.nodes.map { "<li>\(HTML.escape($0.name)) \($0.phase.badge)</li>" }.joined() + "</ul>"
    }

    private var failures: String {
        let failures = node.status.failures
        guard !failures.isEmpty else { return "" }
        var out = "<h3>Failures</h3><ol class=\"failures\" reversed>"
        for failure in failures.reversed() {
            let item = failure.index.map { "item \($0), " } ?? ""
            var line = "<strong>\(HTML.escape(failure.reason.rawValue))</strong>"
            if let code = failure.exitCode { line += " (exit \(code))" }
            line += " <span class=\"muted\">\(item)attempt \(failure.attempt)\(failure.reason.isSystem ? ", system" : ""), "
                + "<time datetime=\"\(failure.finishedAt.rfc3339)\">\(failure.finishedAt.rfc3339)</time></span>"
            if let message = failure.message, !message.isEmpty {
                line += "<pre class=\"message\">\(HTML.escape(Truncated.text(message, limit: 4000)))</pre>"
            }
            line += Self.linkList(failure.logLinks, heading: "")
            out += "<li>\(line)</li>"
        }
        return out + "</ol>"
    }

    private var outputs: String {
        guard let uri = node.status.outputsURI else { return "" }
        var out = "<h3>Outputs</h3><p>Stored at <code>\(HTML.escape(uri))</code></p>"
        if let text = evidence.outputs {
            out += "<pre class=\"outputs\">\(HTML.escape(Truncated.text(text, limit: 4000)))</pre>"
        }
        return out
    }

    private var logs: String {
        guard !evidence.logs.isEmpty else {
            return node.status.attempts > 0 ? "<h3>Pod logs</h3><p class=\"muted\">No pod of this node is left to read "
                + "(finished pods are deleted once their outputs are saved; see the log links).</p>" : ""
        }
        var out = "<h3>Pod logs</h3>"
        for tail in evidence.logs {
            out += "<section class=\"log\"><h4>\(HTML.escape(tail.label)) <span class=\"muted\">pod \(HTML.escape(tail.pod))</span></h4>"
            if let note = tail.note { out += "<p class=\"muted\">\(HTML.escape(note))</p>" }
            if !tail.lines.isEmpty {
                out += "<pre class=\"log-lines\" tabindex=\"0\">\(HTML.escape(tail.lines.joined(separator: "\n")))</pre>"
            }
            out += "</section>"
        }
        return out
    }

    static func linkList(_ links: [String: String], heading: String) -> String {
        guard !links.isEmpty else { return "" }
        let items = links.keys.sorted().map { key in
            "<li><a href=\"\(HTML.escape(links[key]!))\" rel=\"noreferrer\">\(HTML.escape(key))</a></li>"
        }
        return heading + "<ul class=\"links\">" + items.joined() + "</ul>"
    }
}

/// What a node's panel shows beyond its status, read when the panel opens: its pods' log
/// tails and its outputs (when the store is a local folder this process can read).
struct NodeEvidence: Sendable {
    struct LogTail: Sendable, Hashable {
        var pod: String
        /// `train[3](1)`.
        var label: String
        var lines: [String]
        /// Why there is no log, in the kubelet's words, when there is none.
        var note: String?
    }

    var logs: [LogTail] = []
    var outputs: String?
}
