import CapstanKube
import Synchronization

/// The server's side of its in-process clients: whether it still serves them, and the answers
/// still streaming to them. Stopping the server refuses new requests and cuts the streams, as
/// closing its listening socket and connections does over HTTP.
final class InProcessClients: Sendable {
    /// Read on every request without a lock; written only under `streams`' lock, so a stream
    /// added there either sees it false or is in the list `close()` cuts.
    private let serving = Atomic(true)
    private let streams = Mutex<[ObjectIdentifier: @Sendable () async -> Void]>([:])

    /// Throws what a client sees as a refused connection once the server has stopped.
    func checkServing() throws(InProcessServerStopped) {
        guard serving.load(ordering: .acquiring) else { throw InProcessServerStopped() }
    }

    /// Counts a stream as open; false when the server has stopped, and the stream must end.
    func add(_ id: ObjectIdentifier, cut: @escaping @Sendable () async -> Void) -> Bool {
        streams.withLock { streams in
            guard serving.load(ordering: .acquiring) else { return false }
            streams[id] = cut
            return true
        }
    }

    func remove(_ id: ObjectIdentifier) {
        _ = streams.withLock { $0.removeValue(forKey: id) }
    }

    /// Stops serving and cuts every open stream; returns once each cut has run on its event loop.
    func close() async {
        let cuts = streams.withLock { streams in
            serving.store(false, ordering: .releasing)
            defer { streams.removeAll() }
            return Array(streams.values)
        }
        for cut in cuts { await cut() }
    }
}

/// An in-process request to a server that has stopped.
struct InProcessServerStopped: Error, CustomStringConvertible {
    var description: String { "the API server in this process has stopped" }
}
