import CapstanAPI

/// What `capstan get WF` prints: the Workflow's phase and times, then a tree of its nodes in
/// the order the spec lists them, each with its phase, attempts and duration, and under it what
/// a person looks for next: map items, why attempts failed, where the logs are.
///
/// Attempts are numbered from 0, as in `status.nodes.N.failures[].attempt`, the pods'
/// `capstan.dev/attempt` label and `capstan logs --attempt`; `train[3](1)` is item 3's
/// attempt 1, Argo's `step(1)`.
struct WorkflowTree {
    var object: JSONValue
    /// The time durations of unfinished nodes are measured to.
    var now: Timestamp
    /// Failures shown per node, newest last; older ones are counted.
    var failuresShown = 5
    /// The child Workflows of its sub-workflow and dynamic nodes (SPEC §11, §12) by node,
    /// oldest first, listed under their node.
    var children: [String: [JSONValue]] = [:]

    var lines: [String] {
        let status = WorkflowStatus(json: object["status"])
        var lines = header(status)
        let listed = WorkflowNodes(object)
        let exitNames = listed.exitNames
        // The spec's nodes in its order, then any the status has that the spec no longer lists.
        let mainNames = listed.mainNames
        let listedNames = Set(mainNames)
        let exitSet = Set(exitNames)
        let names = (mainNames + status.nodes.keys.filter { !listedNames.contains($0) }.sorted()).filter { !exitSet.contains($0) }
        guard !names.isEmpty || !exitNames.isEmpty else { return lines }
        lines.append("")
        var rows = [["NODE", "PHASE", "ATTEMPTS", "DURATION", "MESSAGE"]]
        var details: [Int: [String]] = [:]
        // Exit nodes make a tree of their own below a row `onExit`.
        for (group, groupNames) in [names, exitNames].enumerated() where !groupNames.isEmpty {
            if group == 1 { rows.append(["onExit", "", "", "", ""]) }
            for (position, name) in groupNames.enumerated() {
                let node = status.nodes[name] ?? NodeStatus()
                let last = position == groupNames.count - 1
                rows.append([(last ? "└─ " : "├─ ") + name, phase(node), node.attempts == 0 ? "-" : String(node.attempts),
                             duration(node.startedAt, node.finishedAt), summary(node)])
                details[rows.count - 1] = detailLines(name: name, node: node).map { (last ? "   " : "│  ") + $0 }
            }
        }
        let widths = (0..<4).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for (index, row) in rows.enumerated() {
            var line = ""
            for column in 0..<4 { line += row[column] + String(repeating: " ", count: widths[column] - row[column].count + 2) }
            line += row[4]
            lines.append(RunSummary.trimmedRight(line))
            lines += details[index] ?? []
        }
        return lines
    }

    private func header(_ status: WorkflowStatus) -> [String] {
        let metadata = object["metadata"]
        var fields: [(String, String)] = [
            ("Name", metadata?["name"]?.stringValue ?? ""),
            ("Namespace", metadata?["namespace"]?.stringValue ?? ""),
            ("Phase", status.phase.rawValue + (status.reason.flatMap { $0 == status.phase.rawValue ? nil : " (\($0))" } ?? "")),
        ]
        if let message = status.message, !message.isEmpty { fields.append(("Message", message)) }
        if let started = status.startedAt { fields.append(("Started", started.rfc3339)) }
        if let finished = status.finishedAt { fields.append(("Finished", finished.rfc3339)) }
        if status.startedAt != nil { fields.append(("Duration", duration(status.startedAt, status.finishedAt))) }
        if !status.progress.isEmpty { fields.append(("Progress", status.progress)) }
        if let outputs = status.outputs, !outputs.isEmpty {
            fields.append(("Outputs", RunSummary.render(.object(outputs))))
        }
        let width = (fields.map(\.0.count).max() ?? 0) + 2
        return fields.map { $0.0 + ":" + String(repeating: " ", count: width - $0.0.count - 1) + $0.1 }
    }

    /// `child NAME  Phase` for each child Workflow of the node, the latest five.
    private func childLines(node: String) -> [String] {
        let mine = children[node] ?? []
        var lines = mine.count > 5 ? ["(\(mine.count - 5) earlier child workflows not shown)"] : []
        for child in mine.suffix(5) {
            let status = WorkflowStatus(json: child["status"])
            lines.append("child workflow \(child["metadata"]?["name"]?.stringValue ?? "")  \(status.phase.rawValue)"
                         + (status.phase.isTerminal && status.phase != .succeeded ? ": " + Self.oneLine(status.message ?? "") : ""))
        }
        return lines
    }

    private func phase(_ node: NodeStatus) -> String {
        if node.cached { return node.phase.rawValue + " (cached)" }
        if node.recovered { return node.phase.rawValue + " (recovered)" }
        return node.phase.rawValue
    }

    private func summary(_ node: NodeStatus) -> String {
        if node.phase == .failed, let last = node.failures.last {
            return FailureReport.describe(last) + (last.message.map { ": " + Self.oneLine($0) } ?? "")
        }
        return node.message.map(Self.oneLine) ?? ""
    }

    private func detailLines(name: String, node: NodeStatus) -> [String] {
        var lines = childLines(node: name)
        if let map = node.map {
            var items = "items: \(map.succeeded)/\(map.total) succeeded"
            if map.running > 0 { items += ", \(map.running) running" }
            if map.failed > 0 { items += ", \(map.failed) failed" }
            lines.append(items)
        }
        let shown = node.failures.suffix(failuresShown)
        if node.failures.count > shown.count {
            lines.append("(\(node.failures.count - shown.count) earlier failures not shown)")
        }
        for failure in shown {
            let item = failure.index.map { "[\($0)]" } ?? ""
            var line = "\(name)\(item)(\(failure.attempt)) \(FailureReport.describe(failure))"
            if let message = failure.message, !message.isEmpty { line += ": " + Self.oneLine(message) }
            lines.append(line)
            lines += Self.links(failure.logLinks).map { "  " + $0 }
        }
        // The latest attempt's links, unless they are the last failure's already shown.
        if node.logLinks != shown.last?.logLinks { lines += Self.links(node.logLinks) }
        return lines
    }

    private static func links(_ links: [String: String]) -> [String] {
        links.keys.sorted().map { "logs \($0): \(links[$0]!)" }
    }

    private func duration(_ started: Timestamp?, _ finished: Timestamp?) -> String {
        guard let started else { return "-" }
        return ProgressText.duration(max(0, (finished ?? now) - started))
    }

    /// A message on one line: a multi-line message (a stack trace's start) would break the columns.
    private static func oneLine(_ text: String) -> String {
        let first = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: true).first.map(String.init) ?? ""
        let clipped = first.count > 160 ? String(first.prefix(159)) + "…" : first
        return text.contains("\n") ? clipped + " …" : clipped
    }
}
