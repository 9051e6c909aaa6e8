import Dispatch
import Foundation
import Synchronization

/// Catches SIGINT and SIGTERM for `capstan dev` so that Ctrl-C aborts the workflow cleanly
/// (pods stopped, servers shut down) instead of killing the process with its work half done.
/// The run loop polls `count`: 1 asks for a graceful abort, 2 or more for stopping at once.
final class SignalTrap: Sendable {
    private let received = Atomic<Int>(0)
    private let lastSignal = Atomic<Int32>(0)
    private nonisolated(unsafe) let sources: [any DispatchSourceSignal]

    init(signals: [Int32] = [SIGINT, SIGTERM]) {
        var sources: [any DispatchSourceSignal] = []
        for number in signals {
            // The default action would end the process before anything is cleaned up.
            signal(number, SIG_IGN)
            sources.append(DispatchSource.makeSignalSource(signal: number, queue: .global()))
        }
        self.sources = sources
        for (source, number) in zip(sources, signals) {
            source.setEventHandler { [weak self] in
                guard let self else { return }
                self.lastSignal.store(number, ordering: .relaxed)
                self.received.add(1, ordering: .relaxed)
            }
            source.resume()
        }
    }

    /// Signals received so far.
    var count: Int { received.load(ordering: .relaxed) }

    /// `interrupt` or `terminate`, for the message that says why the run stopped.
    var lastSignalName: String { lastSignal.load(ordering: .relaxed) == SIGTERM ? "SIGTERM" : "SIGINT" }

    /// Puts the default actions back (a later Ctrl-C ends the process at once).
    func release() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
