import CapstanAPI

/// The text `capstan dev` prints once a workflow has finished: its phase and duration, one
/// line per node (phase, attempts, cache, map items, outputs) and the workflow's outputs.
public struct RunSummary: Sendable {
    public var workflow: String
    public var status: WorkflowStatus
    /// In the order the spec lists them.
    public var nodeNames: [String]
    public var elapsed: Double
    /// Each succeeded node's outputs as read back from the store, when they could be.
    public var nodeOutputs: [String: JSONValue]
    /// Exit nodes (`spec.onExit`), listed last under a line `onExit:`.
    public var exitNodes: Set<String> = []
    /// The child Workflows of sub-workflow and dynamic nodes, oldest first, each summarised
    /// the same way and indented under its node.
    public var children: [String: [RunSummary]] = [:]

    public init(workflow: String, status: WorkflowStatus, nodeNames: [String], elapsed: Double, nodeOutputs: [String: JSONValue] = [:]) {
        self.workflow = workflow
        self.status = status
        self.nodeNames = nodeNames
        self.elapsed = elapsed
        self.nodeOutputs = nodeOutputs
    }

    /// Longest rendering of one value before it is cut, so a big output cannot flood the terminal.
    static let valueLimit = 120
    /// Children shown under one node, the latest; a map of thousands would bury the rest.
    static let childrenShown = 10

    /// Set when `elapsed` comes from the status's whole-second times: shown as `1s`, or
    /// `under 1s`, rather than a precision it does not have.
    public var elapsedInWholeSeconds = false

    public var lines: [String] {
        let duration = !elapsedInWholeSeconds ? ProgressText.duration(elapsed)
            : elapsed < 1 ? "under 1s" : elapsed < 59.5 ? "\(Int(elapsed.rounded()))s" : ProgressText.duration(elapsed.rounded())
        var lines = ["\(workflow) \(status.phase.rawValue) in \(duration)"
                     + (status.message.map { ": \($0)" } ?? "")]
        let all = nodeNames + status.nodes.keys.filter { !nodeNames.contains($0) }.sorted()
        let names = all.filter { !exitNodes.contains($0) } + all.filter(exitNodes.contains)
        let nameWidth = names.map(\.count).max() ?? 0
        let phaseWidth = names.map { (status.nodes[$0]?.phase ?? .pending).rawValue.count }.max() ?? 0
        for (position, name) in names.enumerated() {
            if exitNodes.contains(name) && (position == 0 || !exitNodes.contains(names[position - 1])) { lines.append("onExit:") }
            let node = status.nodes[name] ?? NodeStatus()
            var line = "  " + padded(name, nameWidth) + "  " + padded(node.phase.rawValue, phaseWidth)
            line += "  " + details(node, name: name).joined(separator: ", ")
            lines.append(Self.trimmedRight(line))
            lines += childLines(node: name)
        }
        if let outputs = status.outputs, !outputs.isEmpty {
            lines.append("outputs:")
            for key in outputs.keys.sorted() {
                lines.append("  \(key): \(Self.render(outputs[key]!))")
            }
        }
        return lines
    }

    private func childLines(node: String) -> [String] {
        let all = children[node] ?? []
        let shown = all.suffix(Self.childrenShown)
        var lines = all.count > shown.count ? ["    (\(all.count - shown.count) earlier child workflows not shown)"] : []
        for child in shown {
            // The child's own lines one step further in than its header, its outputs included.
            lines += child.lines.enumerated().map { "    " + ($0.offset == 0 ? "child " : "  ") + $0.element }
        }
        return lines
    }

    private func details(_ node: NodeStatus, name: String) -> [String] {
        var parts: [String] = []
        if node.cached {
            parts.append("cached")
        } else if node.recovered {
            parts.append("recovered")
        } else if node.attempts > 0 {
            parts.append(node.attempts == 1 ? "1 attempt" : "\(node.attempts) attempts")
        }
        if let map = node.map {
            var items = "items \(map.succeeded)/\(map.total) succeeded"
            if map.failed > 0 { items += ", \(map.failed) failed" }
            parts.append(items)
        }
        if node.phase == .failed, let last = node.failures.last {
            parts.append(FailureReport.describe(last))
        } else if node.phase != .succeeded, let message = node.message, !message.isEmpty {
            parts.append(message)
        }
        if node.phase == .succeeded, let outputs = nodeOutputs[name], outputs.objectValue?.isEmpty == false {
            parts.append("outputs " + Self.render(outputs))
        }
        return parts
    }

    static func render(_ value: JSONValue) -> String {
        let text = value.jsonString
        return text.count > valueLimit ? String(text.prefix(valueLimit - 1)) + "…" : text
    }

    private func padded(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }

    /// `text` without trailing spaces: columns padded for the next one leave them.
    static func trimmedRight(_ text: String) -> String {
        var text = text
        while text.hasSuffix(" ") { text.removeLast() }
        return text
    }
}
