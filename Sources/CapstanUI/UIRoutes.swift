import CapstanAPI
import Foundation
import Logging

/// What each URL answers. Everything is read from the feed's cache, except a node's pods
/// and logs, read when its panel opens. Read-only: nothing here writes to the cluster.
struct UIRoutes: Sendable {
    typealias EvidenceSource = @Sendable (Workflow, WorkflowGraph.Node) async -> NodeEvidence

    let feed: WorkflowFeed
    let evidence: EvidenceSource
    /// Where the Workflows come from, for the list's heading.
    let scope: String
    let now: @Sendable () -> Timestamp
    /// The shortest time between two updates of the list page, which changes with every Workflow.
    var listInterval: Duration = .seconds(1)

    init(feed: WorkflowFeed, scope: String, now: @escaping @Sendable () -> Timestamp = { Timestamp(Date()) },
         evidence: @escaping EvidenceSource) {
        self.feed = feed
        self.scope = scope
        self.now = now
        self.evidence = evidence
    }

    func respond(_ request: UIRequest) async -> UIResponse {
        guard request.method == "GET" || request.method == "HEAD" else {
            return .text("capstan ui is read-only\n", status: 405)
        }
        if let asset = UIAssets.response(for: request.path) { return asset }
        await feed.waitForSync()
        switch request.path {
        case []:
            return .html(WorkflowListView(workflows: feed.all(), filter: WorkflowFilter(query: request.query), scope: scope, now: now()).page)
        case ["events"]:
            return listEvents(WorkflowFilter(query: request.query))
        case ["healthz"]:
            return .text("ok\n", status: 200)
        case let path where path.count >= 3 && path[0] == "workflows":
            return await workflowRoute(namespace: path[1], name: path[2], rest: Array(path.dropFirst(3)), query: request.query)
        default:
            return .notFound("No page at /\(request.path.joined(separator: "/")).")
        }
    }

    private func workflowRoute(namespace: String, name: String, rest: [String], query: [String: String]) async -> UIResponse {
        guard let workflow = feed.workflow(namespace: namespace, name: name) else {
            return .notFound("Workflow \(namespace)/\(name) is not there (it may have been deleted).")
        }
        let children = feed.children(namespace: namespace, name: name)
        switch rest {
        case []:
            let selected = query["node"].flatMap { WorkflowGraph(workflow: workflow).node($0) }
            let view = WorkflowView(workflow: workflow, children: children, now: now(), selected: selected?.name)
            var detail: String?
            if let selected { detail = await nodeDetail(workflow, selected, children: children) }
            return .html(view.page(detail: detail))
        case ["events"]:
            return workflowEvents(namespace: namespace, name: name)
        case let path where path.count == 2 && path[0] == "nodes":
            let node = path[1]
            guard let selected = WorkflowGraph(workflow: workflow).node(node) else {
                return .html("<p role=\"alert\">\(HTML.escape(name)) has no node \(HTML.escape(node)).</p>", status: 404)
            }
            return .html(await nodeDetail(workflow, selected, children: children))
        default:
            return .notFound("No page at /workflows/\(namespace)/\(name)/\(rest.joined(separator: "/")).")
        }
    }

    private func nodeDetail(_ workflow: Workflow, _ node: WorkflowGraph.Node, children: [Workflow]) async -> String {
        let mine = ChildrenByNode(children: children).of(node.name)
        return NodeDetailView(node: node, children: mine, evidence: await evidence(workflow, node), now: now()).html
    }

    /// The Workflow page's stream: its live part whenever it changes, a keep-alive comment on
    /// a heartbeat with no change, and `end` once the Workflow has finished (the page then
    /// stops listening) or `gone` if it is deleted.
    private func workflowEvents(namespace: String, name: String) -> UIResponse {
        .events { [feed, now] write in
            let signals = feed.subscribe(namespace: namespace, name: name)
            var last = ""
            var iterator = signals.makeAsyncIterator()
            repeat {
                guard let workflow = feed.workflow(namespace: namespace, name: name) else {
                    try await write(ServerSentEvent(name: "gone", data: "\(namespace)/\(name) was deleted").bytes)
                    return
                }
                let live = WorkflowView(workflow: workflow, children: feed.children(namespace: namespace, name: name), now: now()).live
                try await write(live == last ? ServerSentEvent.keepAlive : ServerSentEvent(name: "update", data: live).bytes)
                last = live
                if workflow.status.phase.isTerminal {
                    try await write(ServerSentEvent(name: "end", data: workflow.status.phase.rawValue).bytes)
                    return
                }
            } while await iterator.next() != nil
        }
    }

    /// The list page's stream: its table again after any Workflow changes, at most once per
    /// `listInterval`, since a busy cluster changes a Workflow many times a second.
    private func listEvents(_ filter: WorkflowFilter) -> UIResponse {
        .events { [feed, now, scope, listInterval] write in
            let signals = feed.subscribeToAll()
            var last = ""
            for await _ in signals {
                let table = WorkflowListView(workflows: feed.all(), filter: filter, scope: scope, now: now()).table
                try await write(table == last ? ServerSentEvent.keepAlive : ServerSentEvent(name: "update", data: table).bytes)
                last = table
                try await Task.sleep(for: listInterval)
            }
        }
    }
}
