import Foundation
import Synchronization

/// Servers the tests start as processes (`capstan sim`, `capstan run`). Shared ones live in
/// statics that are never released, so without this they would outlive the test run; at exit
/// each still running gets SIGTERM (the sim then stops its pods' processes), and SIGKILL if it
/// has not gone a few seconds later.
public enum ChildProcesses {
    private static let running = Mutex<Set<pid_t>>([])
    private static let installHandler: Void = { atexit { ChildProcesses.stopAll() } }()

    public static func track(_ process: Process) {
        _ = installHandler
        let pid = process.processIdentifier
        running.withLock { _ = $0.insert(pid) }
    }

    static func stopAll() {
        let pids = running.withLock { $0 }
        let alive = { (pid: pid_t) in kill(pid, 0) == 0 && isCapstan(pid) && !isZombie(pid) }
        for pid in pids where alive(pid) { kill(pid, SIGTERM) }
        let deadline = Date().addingTimeInterval(5)
        while pids.contains(where: alive), Date() < deadline { usleep(50_000) }
        for pid in pids where alive(pid) { kill(pid, SIGKILL) }
    }

    /// A pid of ours that ended long ago may have been reused by another program.
    private static func isCapstan(_ pid: pid_t) -> Bool {
        guard let commandLine = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        return String(decoding: commandLine, as: UTF8.self).contains("capstan")
    }

    /// An exited child nobody has reaped still answers `kill(pid, 0)`.
    private static func isZombie(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }
}
