import CapstanAPI
import Foundation
import Testing
@testable import CapstanUI

@Suite struct RenderingTests {
    let now = UIFixtures.start + 60

    /// Each `<a … class="node …">` of the graph, as (name, phase) pairs.
    static func graphNodes(_ html: String) -> [(name: String, phase: String)] {
        let pattern = try! NSRegularExpression(pattern: "<a [^>]*class=\"node [^\"]*\" data-node=\"([^\"]+)\" data-phase=\"([^\"]+)\"")
        let range = NSRange(html.startIndex..., in: html)
        return pattern.matches(in: html, range: range).map {
            (String(html[Range($0.range(at: 1), in: html)!]), String(html[Range($0.range(at: 2), in: html)!]))
        }
    }

    @Test func theGraphHasOneLinkPerNodeWithItsPhase() {
        let html = WorkflowView(workflow: UIFixtures.sweep(), now: now).live
        let nodes = Self.graphNodes(html)
        #expect(nodes.map(\.name) == ["prepare", "train", "evaluate", "report", "notify"])
        #expect(nodes.map(\.phase) == ["Succeeded", "Running", "Running", "Pending", "Pending"])
        // Colour is never alone: glyph and words too.
        #expect(html.contains("<tspan class=\"glyph\">✓</tspan> prepare"))
        #expect(html.contains("aria-label=\"prepare, Succeeded, 1 attempt\""))
        #expect(html.contains("class=\"legend\""))
    }

    @Test func mapsShowTheirCountsAndSubWorkflowsAndExitNodesAreMarked() {
        let html = WorkflowView(workflow: UIFixtures.sweep(), now: now).live
        #expect(html.contains("Running · items 3/1/2 of 10"))
        #expect(html.contains("3 succeeded, 1 failed, 2 running of 10 items"))
        #expect(html.contains("class=\"node phase-running kind-workflow\""))
        #expect(html.contains("↳ eval-template"))
        #expect(html.contains("class=\"node phase-pending kind-task exit\""))
        #expect(html.contains("onExit — runs after the DAG finishes"))
        // The exit node is drawn below the DAG's frame caption, not in its columns.
        let svg = GraphSVG(graph: WorkflowGraph(workflow: UIFixtures.sweep()), workflowName: "sweep").svg
        #expect(svg.contains("id=\"node-notify\""))
    }

    @Test func aChildWorkflowIsLinkedFromItsNode() {
        var child = UIFixtures.simple("sweep-evaluate", phase: .succeeded, created: 5, labels: ["capstan.dev/parent": "sweep", "capstan.dev/node": "evaluate"])
        child.status.nodes["only"] = UIFixtures.node(.succeeded, attempts: 1)
        let html = WorkflowView(workflow: UIFixtures.sweep(), children: [child], now: now).live
        #expect(html.contains("<a href=\"/workflows/ml/sweep-evaluate\">sweep-evaluate</a>"))
        let node = WorkflowGraph(workflow: UIFixtures.sweep()).node("evaluate")!
        let detail = NodeDetailView(node: node, children: [child], now: now).html
        #expect(detail.contains("Sub-workflow"))
        #expect(detail.contains("<li>only <span class=\"badge phase-succeeded\">"))
    }

    @Test func theNodePanelShowsFailuresOutputsLinksAndLogs() {
        let node = WorkflowGraph(workflow: UIFixtures.sweep()).node("train")!
        var evidence = NodeEvidence()
        evidence.logs = [NodeEvidence.LogTail(pod: "sweep-train-1234-3-1", label: "train[3](1)", lines: ["epoch 1", "<b>loss</b> 0.3"])]
        let html = NodeDetailView(node: node, evidence: evidence, now: now).html
        #expect(html.contains("<strong>OOMKilled</strong> (exit 137)"))
        #expect(html.contains("item 3, attempt 1"))
        #expect(html.contains("killed: &lt;out of memory&gt; &amp; more"))
        #expect(html.contains("<a href=\"https://logs.example/train-3-1\" rel=\"noreferrer\">grafana</a>"))
        #expect(html.contains("<code>s3://bucket/ml/sweep/train/outputs.json</code>"))
        #expect(html.contains("train[3](1)"))
        #expect(html.contains("&lt;b&gt;loss&lt;/b&gt; 0.3"))
        #expect(html.contains("Attempts</dt><dd>4"))
    }

    @Test func whatTheClusterSaysIsEscapedEverywhere() {
        var workflow = UIFixtures.sweep(name: "x\"><script>alert(1)</script>")
        workflow.status.message = "<img src=x onerror=alert(1)>"
        let page = WorkflowView(workflow: workflow, now: now).page(detail: nil)
        #expect(!page.contains("<script>alert"))
        #expect(!page.contains("<img src=x"))
        #expect(page.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(page.contains("<script src=\"/assets/capstan.js\" defer></script>"))
        #expect(!page.contains("src=\"http") && !page.contains("href=\"http"), "no asset from elsewhere")
    }

    @Test func theListIsNewestFirstFilteredAndPaged() {
        let workflows = (0..<250).map { (index: Int) -> Workflow in
            let phase: WorkflowPhase = index % 5 == 0 ? .failed : .succeeded
            let team = index % 2 == 0 ? "ml" : "web"
            return UIFixtures.simple("wf-\(index)", phase: phase, created: Double(index), labels: ["team": team])
        }
        let first = WorkflowListView(workflows: workflows, filter: WorkflowFilter(), scope: "namespace ml", now: now).page
        #expect(first.contains("250 Workflows, 1–100 shown, newest first"))
        #expect(first.range(of: ">wf-249<")!.lowerBound < first.range(of: ">wf-248<")!.lowerBound)
        #expect(!first.contains(">wf-149<"))
        #expect(first.contains("href=\"/?page=1\" rel=\"next\""))
        let failedML = WorkflowListView(workflows: workflows, filter: WorkflowFilter(phase: "Failed", label: "team=ml"), scope: "", now: now).table
        #expect(failedML.contains("25 Workflows, newest first"))
        #expect(failedML.contains(">wf-240<") && !failedML.contains(">wf-245<"))
        let none = WorkflowListView(workflows: workflows, filter: WorkflowFilter(label: "team=nobody"), scope: "", now: now).table
        #expect(none.contains("No Workflows match this filter"))
        let unreadable = WorkflowListView(workflows: workflows, filter: WorkflowFilter(label: "team notin (x)"), scope: "", now: now).page
        #expect(unreadable.contains("role=\"alert\" class=\"error\">cannot read the label selector"))
    }

    @Test func labelSelectorsReadAsKubectlReadsThem() {
        let labels = ["team": "ml", "env": "prod"]
        #expect(LabelSelector("team=ml,env!=dev")!.matches(labels))
        #expect(LabelSelector("team==ml, env")!.matches(labels))
        #expect(!LabelSelector("!env")!.matches(labels))
        #expect(LabelSelector("")!.matches([:]))
        #expect(LabelSelector("=x") == nil)
    }

    @Test func requestTargetsAndEventsUseTheirWireFormats() {
        let request = UIRequest(method: "GET", target: "/workflows/ml/a%2Db/nodes/train?node=x%20y&label=team%3Dml+a")
        #expect(request == UIRequest(path: ["workflows", "ml", "a-b", "nodes", "train"], query: ["node": "x y", "label": "team=ml a"]))
        #expect(UIRequest(method: "GET", target: "/%zz") == nil)
        #expect(UIRequest(method: "GET", target: "http://evil/") == nil)
        let event = ServerSentEvent(name: "update", data: "<p>\none</p>")
        #expect(String(decoding: event.bytes, as: UTF8.self) == "event: update\ndata: <p>\ndata: one</p>\n\n")
        #expect(URLText.query([("phase", "Failed"), ("label", "a=b c"), ("page", "")]) == "?phase=Failed&label=a%3Db%20c")
    }
}
