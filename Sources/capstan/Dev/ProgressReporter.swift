import CapstanAPI
import CapstanController
import Foundation

/// Shows a running workflow's progress on standard error: a bar redrawn in place when that
/// is a terminal, otherwise one plain line per change (so CI logs get a readable history
/// rather than a flood of identical lines).
final class ProgressReporter {
    private let workflow: String
    private let isTerminal: Bool
    private var last: RunProgress?
    private var frame = 0
    private var barShown = false

    init(workflow: String, isTerminal: Bool = isatty(STDERR_FILENO) == 1) {
        self.workflow = workflow
        self.isTerminal = isTerminal
    }

    func update(_ progress: RunProgress, elapsed: Double) {
        if isTerminal {
            frame += 1
            let text = ProgressText.bar(workflow: workflow, progress, elapsed: elapsed, width: Self.terminalWidth(), frame: frame)
            write("\r\u{1B}[2K" + text)
            barShown = true
        } else if progress != last {
            write(ProgressText.line(workflow: workflow, progress, elapsed: elapsed) + "\n")
        }
        last = progress
    }

    /// A line of its own (a notice), keeping the bar below it.
    func note(_ text: String) {
        clearBar()
        write(text + "\n")
    }

    /// Removes the bar so that what follows starts on a clean line.
    func finish() { clearBar() }

    private func clearBar() {
        guard barShown else { return }
        write("\r\u{1B}[2K")
        barShown = false
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    private static func terminalWidth() -> Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "") ?? 80
    }
}
