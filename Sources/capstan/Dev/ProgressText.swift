import CapstanAPI
import CapstanSupport

/// The words and the bar `capstan dev` prints for a `RunProgress`.
public enum ProgressText {
    /// One plain line, for logs and pipes: `hello: Running · nodes 1/3 done, 1 running · 2s`.
    public static func line(workflow: String, _ progress: RunProgress, elapsed: Double) -> String {
        var parts = ["\(workflow): \(progress.phase.rawValue)", "nodes " + tally(progress.nodes)]
        parts += extras(progress)
        parts.append(duration(elapsed))
        return parts.joined(separator: " · ")
    }

    /// One terminal line redrawn in place; never wider than `width` so that it cannot wrap
    /// (a wrapped line would not be erased by the next redraw).
    public static func bar(workflow: String, _ progress: RunProgress, elapsed: Double, width: Int, frame: Int) -> String {
        let spinner = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
        let barWidth = 20
        let filled = Int((progress.fractionFinished * Double(barWidth)).rounded(.down))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: barWidth - filled)
        var text = "\(spinner[frame % spinner.count]) \(workflow) \(bar) nodes \(tally(progress.nodes))"
        text += extras(progress).map { " · " + $0 }.joined()
        text += " · \(duration(elapsed))"
        return clipped(text, to: width)
    }

    /// Map items, child workflows and exit nodes, each once there are any.
    private static func extras(_ progress: RunProgress) -> [String] {
        var parts: [String] = []
        if progress.items.total > 0 { parts.append("items " + tally(progress.items)) }
        if progress.children.total > 0 { parts.append("child workflows " + tally(progress.children)) }
        if progress.exitNodes.total > 0 { parts.append("onExit " + tally(progress.exitNodes)) }
        return parts
    }

    /// `3/5 done, 1 running, 1 failed`, leaving out the counts that are zero.
    public static func tally(_ tally: RunProgress.Tally) -> String {
        var text = "\(tally.done)/\(tally.total) done"
        if tally.running > 0 { text += ", \(tally.running) running" }
        if tally.failed > 0 { text += ", \(tally.failed) failed" }
        if tally.aborted > 0 { text += ", \(tally.aborted) aborted" }
        return text
    }

    /// `850ms`, `4.2s`, `3m05s`, `1h02m`.
    public static func duration(_ seconds: Double) -> String { DurationText.short(seconds) }

    static func clipped(_ text: String, to width: Int) -> String {
        guard width > 1, text.count > width else { return text }
        return String(text.prefix(width - 1)) + "…"
    }
}
