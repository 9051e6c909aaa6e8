import CapstanAPI

/// Whether `capstan approve WF NODE` / `capstan reject WF NODE` may decide: NODE must be an
/// approval node of WF that has not finished. A node not yet started may be decided ahead;
/// the engine honours the decision when the node starts. Read from the Workflow as the API
/// server holds it, so a spec the controller refused still gets a clear answer.
enum ApprovalCheck {
    /// What is wrong, in kubectl's `error: …` words without the prefix; nil when the decision may be written.
    static func problem(in workflow: JSONValue, node: String) -> String? {
        let name = workflow["metadata"]?["name"]?.stringValue ?? ""
        // Exit nodes (spec.onExit) may wait for approval too; a Workflow that runs a template
        // has the template's nodes.
        let listedNodes = WorkflowNodes(workflow)
        if let template = listedNodes.unreadTemplate {
            return "workflow \"\(name)\" runs template \"\(template)\", which the controller has not read yet; try again in a moment"
        }
        let nodes = listedNodes.main + listedNodes.exit
        let approvalNodes = nodes.filter { $0["approval"].map { !$0.isNull } ?? false }.compactMap { $0["name"]?.stringValue }
        let listed = approvalNodes.isEmpty ? "it has no approval nodes" : "its approval nodes: \(approvalNodes.joined(separator: ", "))"
        guard let spec = nodes.first(where: { $0["name"]?.stringValue == node }) else {
            return "workflow \"\(name)\" has no node \"\(node)\" (\(listed))"
        }
        guard let approval = spec["approval"], !approval.isNull else {
            return "node \"\(node)\" of workflow \"\(name)\" is not an approval node (\(listed))"
        }
        let status = WorkflowStatus(json: workflow["status"])
        if let phase = status.nodes[node]?.phase, phase.isTerminal {
            return "node \"\(node)\" of workflow \"\(name)\" is not waiting for approval: it is \(phase.rawValue)"
        }
        if status.phase.isTerminal {
            return "workflow \"\(name)\" has finished (\(status.phase.rawValue)); node \"\(node)\" no longer waits"
        }
        return nil
    }
}
