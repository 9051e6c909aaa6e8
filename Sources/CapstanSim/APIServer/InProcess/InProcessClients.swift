import CapstanKube
import Synchronization

/// The server's side of its in-process clients: whether it still serves them, and the answers
/// still streaming to them. Stopping the server refuses new requests and cuts the streams, as
/// closing its listening socket and connections does over HTTP.
final class InProcessClients: Sendable {
    private struct State {
        var serving = true
        var streams: [ObjectIdentifier: @Sendable () async -> Void] = [:]
    }

    private let state = Mutex(State())

    /// Throws what a client sees as a refused connection once the server has stopped.
    func checkServing() throws(InProcessServerStopped) {
        guard state.withLock({ $0.serving }) else { throw InProcessServerStopped() }
    }

    /// Counts a stream as open; false when the server has stopped, and the stream must end.
    func add(_ id: ObjectIdentifier, cut: @escaping @Sendable () async -> Void) -> Bool {
        state.withLock { state in
            guard state.serving else { return false }
            state.streams[id] = cut
            return true
        }
    }

    func remove(_ id: ObjectIdentifier) {
        _ = state.withLock { $0.streams.removeValue(forKey: id) }
    }

    /// Stops serving and cuts every open stream; returns once each cut has run on its event loop.
    func close() async {
        let cuts = state.withLock { state in
            state.serving = false
            defer { state.streams.removeAll() }
            return Array(state.streams.values)
        }
        for cut in cuts { await cut() }
    }
}

/// An in-process request to a server that has stopped.
struct InProcessServerStopped: Error, CustomStringConvertible {
    var description: String { "the API server in this process has stopped" }
}
