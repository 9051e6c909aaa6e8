#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A container's PID 1 inherits every orphan of its processes. When `capstan worker` is
/// PID 1 (a worker pod without a shared process namespace), what its items leave running and
/// that later exits would stay a zombie: reap those, and leave the items' own processes to
/// their waiters.
public enum OrphanReaper {
    /// Reaps every exited child that is not a running item's process.
    public static func reapOnce() {
        #if os(Linux)
        while true {
            var info = siginfo_t()
            // Peek first (WNOWAIT): an item's exit belongs to its waiter.
            guard waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) == 0 else { return }
            let pid = info._sifields._sigchld.si_pid
            guard pid > 0, !ChildProcess.live.withLock({ $0.contains(pid) }) else { return }
            var status: Int32 = 0
            _ = waitpid(pid, &status, WNOHANG)
        }
        #endif
    }

    /// Reaps every `interval` until cancelled.
    public static func run(every interval: Duration = .seconds(1)) async {
        while !Task.isCancelled {
            reapOnce()
            try? await Task.sleep(for: interval)
        }
    }
}
