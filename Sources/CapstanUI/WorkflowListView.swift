import CapstanAPI
import CapstanSupport

/// The list of Workflows: a filter form, then one table row per Workflow, newest first, a page
/// at a time, rendered on the server so that thousands of Workflows cost one short page.
struct WorkflowListView {
    var workflows: [Workflow]
    var filter: WorkflowFilter
    /// Where the list comes from, said above it: `namespace ml` or `all namespaces`.
    var scope: String
    var now: Timestamp

    var page: String {
        HTML.document(title: "Workflows", body: "<h1>Workflows <span class=\"muted\">in \(HTML.escape(scope))</span></h1>"
            + form + "<div id=\"list\" data-events=\"/events\">" + table + "</div>")
    }

    private var form: String {
        let options = ([""] + WorkflowPhase.allCases.map(\.rawValue)).map { phase in
            "<option value=\"\(phase)\"\(phase == filter.phase ? " selected" : "")>\(phase.isEmpty ? "any phase" : phase)</option>"
        }.joined()
        var out = "<form class=\"filter\" method=\"get\" action=\"/\" role=\"search\">"
            + "<label>Phase <select name=\"phase\">\(options)</select></label>"
            + "<label>Labels <input name=\"label\" value=\"\(HTML.escape(filter.label))\" placeholder=\"team=ml,env!=dev\" "
            + "autocomplete=\"off\" spellcheck=\"false\"></label>"
        if !filter.namespace.isEmpty {
            out += "<input type=\"hidden\" name=\"namespace\" value=\"\(HTML.escape(filter.namespace))\">"
        }
        out += "<button type=\"submit\">Filter</button>"
        if filter != WorkflowFilter() { out += " <a href=\"/\">Clear</a>" }
        out += "</form>"
        if let error = filter.labelError { out += "<p role=\"alert\" class=\"error\">\(HTML.escape(error))</p>" }
        return out
    }

    /// The table and its paging; also what the list's live updates replace.
    var table: String {
        let (shown, total) = filter.select(workflows)
        guard total > 0 else {
            return "<p class=\"empty\">No Workflows\(filter == WorkflowFilter() ? "" : " match this filter").</p>"
        }
        let first = filter.page * WorkflowFilter.pageSize
        var out = "<div class=\"table-scroll\"><table class=\"workflows\"><caption>\(total) Workflow\(total == 1 ? "" : "s")"
            + (total > shown.count ? ", \(first + 1)–\(first + shown.count) shown" : "") + ", newest first</caption>"
            + "<thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Namespace</th><th scope=\"col\">Phase</th>"
            + "<th scope=\"col\">Progress</th><th scope=\"col\">Age</th></tr></thead><tbody>"
        for workflow in shown {
            let meta = workflow.metadata
            let age = meta.creationTimestamp.map { DurationText.short(max(0, now - $0)) } ?? ""
            let created = meta.creationTimestamp.map { " datetime=\"\($0.rfc3339)\" title=\"\($0.rfc3339)\"" } ?? ""
            out += "<tr data-workflow=\"\(HTML.escape(meta.namespace))/\(HTML.escape(meta.name))\">"
                + "<th scope=\"row\"><a href=\"\(URLText.workflow(namespace: meta.namespace, name: meta.name))\">\(HTML.escape(meta.name))</a></th>"
                + "<td>\(HTML.escape(meta.namespace))</td><td>\(PhaseStyle(workflow.status.phase.rawValue).badge)</td>"
                + "<td>\(HTML.escape(workflow.status.progress))</td><td><time\(created)>\(age)</time></td></tr>"
        }
        out += "</tbody></table></div>"
        if total > shown.count {
            out += "<nav class=\"pages\" aria-label=\"Pages\">"
            if filter.page > 0 { out += "<a href=\"/\(filter.query(page: filter.page - 1))\" rel=\"prev\">← Newer</a> " }
            if first + shown.count < total { out += "<a href=\"/\(filter.query(page: filter.page + 1))\" rel=\"next\">Older →</a>" }
            out += "</nav>"
        }
        return out
    }
}
