import CapstanAPI
import Foundation

/// What `capstan dev` tells a person when a workflow fails: each failed node, why its last
/// attempt failed, where that attempt's log is, and the log's last lines.
public struct FailureReport: Sendable {
    public var status: WorkflowStatus
    public var nodeNames: [String]
    /// The log file of one attempt: (node, map index, attempt) → path.
    public var logPath: @Sendable (String, Int?, Int) -> String
    public var tailLines: Int
    /// Nodes that run no pod (sleep, approval): their failure has a reason but no log.
    public var podless: Set<String>

    public init(status: WorkflowStatus, nodeNames: [String], podless: Set<String> = [], tailLines: Int = 10,
                logPath: @escaping @Sendable (String, Int?, Int) -> String) {
        self.status = status
        self.nodeNames = nodeNames
        self.podless = podless
        self.logPath = logPath
        self.tailLines = tailLines
    }

    public var lines: [String] {
        var lines: [String] = []
        let failed = nodeNames.filter { status.nodes[$0]?.phase == .failed }
        for name in failed {
            let node = status.nodes[name]!
            guard let last = node.failures.last else {
                lines.append("node \(name) failed" + (node.message.map { ": \($0)" } ?? ""))
                continue
            }
            let item = last.index.map { " item \($0)" } ?? ""
            let attempt = podless.contains(name) ? "" : " (attempt \(last.attempt + 1))"
            lines.append("node \(name)\(item) failed: \(Self.describe(last))\(attempt)")
            if let message = last.message, !message.isEmpty {
                lines.append("  message: \(message)")
            }
            if podless.contains(name) { continue }
            let path = logPath(name, last.index, last.attempt)
            lines.append("  log: \(path)")
            let tail = Self.lastLines(ofFile: path, count: tailLines)
            if let tail {
                if tail.isEmpty {
                    lines.append("  (the log is empty)")
                } else {
                    lines.append("  last \(tail.count == 1 ? "line" : "\(tail.count) lines"):")
                    lines += tail.map { "  │ \($0)" }
                }
            } else {
                lines.append("  (no log was written: the task did not start)")
            }
        }
        // An abort explains itself in the summary; a failure without a failed node (a
        // deadline, an invalid spec) needs its reason here.
        if failed.isEmpty, status.phase == .failed, let message = status.message, !message.isEmpty {
            lines.append("\(status.reason ?? status.phase.rawValue): \(message)")
        }
        return lines
    }

    /// `Error, exit code 3` or `OOMKilled`.
    public static func describe(_ failure: AttemptFailure) -> String {
        failure.reason.rawValue + (failure.exitCode.map { ", exit code \($0)" } ?? "")
    }

    /// The last `count` lines of a text file, nil when it does not exist. Reads only the
    /// file's end, so a huge log costs nothing.
    public static func lastLines(ofFile path: String, count: Int) -> [String]? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        let window: UInt64 = 64 * 1024
        try? handle.seek(toOffset: size > window ? size - window : 0)
        let data = (try? handle.readToEnd()) ?? Data()
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if size > window, !lines.isEmpty { lines.removeFirst() }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return Array(lines.suffix(count))
    }
}
