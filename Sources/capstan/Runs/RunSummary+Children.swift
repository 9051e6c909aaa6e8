import CapstanAPI

extension RunSummary {
    /// The summary of the Workflow `object` with its child Workflows' summaries under their
    /// nodes, to any depth. `outputs` reads a finished Workflow's node outputs, when it can.
    static func tree(_ object: JSONValue, children: ChildRuns, now: Timestamp,
                     outputs: (WorkflowStatus) -> [String: JSONValue]) -> RunSummary {
        let status = WorkflowStatus(json: object["status"])
        let listed = WorkflowNodes(object)
        let elapsed = status.startedAt.map { max(0, (status.finishedAt ?? now) - $0) } ?? 0
        var summary = RunSummary(workflow: object["metadata"]?["name"]?.stringValue ?? "", status: status,
                                 nodeNames: listed.mainNames + listed.exitNames, elapsed: elapsed, nodeOutputs: outputs(status))
        summary.exitNodes = Set(listed.exitNames)
        summary.elapsedInWholeSeconds = true
        if let uid = object["metadata"]?["uid"]?.stringValue {
            summary.children = children.children(of: uid).mapValues { nodeChildren in
                nodeChildren.map { tree($0, children: children, now: now, outputs: outputs) }
            }
        }
        return summary
    }
}
