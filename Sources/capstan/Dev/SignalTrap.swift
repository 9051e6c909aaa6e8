#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Signals received while a trap is installed, counted by the handler. Atomics are
/// lock-free, so updating them is safe inside a signal handler.
private let receivedSignals = Atomic<Int>(0)
private let lastSignalNumber = Atomic<Int32>(0)

/// Catches SIGINT and SIGTERM for `capstan dev` so that Ctrl-C aborts the workflow cleanly
/// (pods stopped, servers shut down) instead of ending the process with its work half done.
/// The run loop polls `count`: 1 asks for a graceful abort, 2 or more for stopping at once.
///
/// A plain handler rather than a dispatch source: those read signals through a signalfd,
/// which only sees a signal that every thread blocks, and in a process whose threads were
/// started by others a signal can land on a thread that does not block it and be lost.
final class SignalTrap: Sendable {
    private let signals: [Int32]

    init(signals: [Int32] = [SIGINT, SIGTERM]) {
        self.signals = signals
        receivedSignals.store(0, ordering: .relaxed)
        for number in signals {
            signal(number) { number in
                lastSignalNumber.store(number, ordering: .relaxed)
                receivedSignals.add(1, ordering: .relaxed)
            }
        }
    }

    /// Signals received so far.
    var count: Int { receivedSignals.load(ordering: .relaxed) }

    /// `SIGINT` or `SIGTERM`, for the message that says why the run stopped.
    var lastSignalName: String { lastSignalNumber.load(ordering: .relaxed) == SIGTERM ? "SIGTERM" : "SIGINT" }

    /// Puts the default actions back: a later Ctrl-C ends the process at once.
    func release() {
        for number in signals { signal(number, SIG_DFL) }
    }
}
