import CapstanAPI

/// Keeps a large workflow's status under its budget: past `EngineConfig.detailedNodeLimit`
/// nodes, each node that finished well has its full status written to the store
/// (`NODE/node.json`) and, once that write is confirmed, keeps only a row in
/// `status.archivedNodes`. Nodes still running, failed or retried keep every detail, and a
/// small workflow's status never changes shape.
enum NodeArchive {
    static func update(_ status: inout WorkflowStatus, compiled: CompiledWorkflow, facts: ActionResults, layout: StorageLayout,
                       limit: Int, output: inout StepOutput) {
        guard compiled.nodes.count > limit else { return }
        // From the first step: a wide DAG's thousands of waiting nodes are left out of the status.
        let archive = status.archive ?? ArchivedNodes(detailsPrefix: layout.uri(layout.workflowPrefix))
        status.archive = archive
        // One pass by index, reading each node where it lies: thousands of nodes are looked
        // at on every step, and iterating the dictionary would copy each one.
        var next = 0
        var candidates: [String] = []
        for index in status.nodes.indices {
            if let position = status.nodes.values[index].archivePosition {
                next = max(next, position + 1)
            } else if ArchivedNodes.canArchive(status.nodes.values[index]) {
                candidates.append(status.nodes.keys[index])
            }
        }
        // Sorted, so the order rows are added in is the same however the dictionary iterates.
        for name in candidates.sorted() {
            guard var node = status.nodes[name] else { continue }
            let key = layout.nodeDetailsKey(name)
            guard facts.persisted.contains(key) else {
                if case .object(let details) = node.json { output.actions.append(.archiveNode(key: key, details: details)) }
                continue
            }
            node.archivePosition = next
            next += 1
            status.nodes[name] = node
        }
    }
}

extension ActionResults {
    /// `spec.recoverFrom` names a workflow whose succeeded nodes were archived: their keys are
    /// in the store. Fills in the keys already read; returns the reads still needed for the
    /// nodes this workflow has yet to decide (none once each is read).
    mutating func resolveArchivedRecoveryKeys(undecided: (String) -> Bool) -> [EngineAction] {
        var reads: [EngineAction] = []
        for (name, node) in recoverable where node.key == nil {
            guard let detailsKey = node.detailsKey, undecided(name) else {
                recoverable[name] = nil
                continue
            }
            if let key = outputs[detailsKey]?["key"]?.stringValue {
                recoverable[name]?.key = key
            } else if absent.contains(detailsKey) {
                recoverable[name] = nil
            } else {
                reads.append(.loadOutputs(key: detailsKey))
            }
        }
        return reads
    }
}
