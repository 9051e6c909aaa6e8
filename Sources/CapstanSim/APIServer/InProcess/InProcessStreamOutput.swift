import CapstanKube
import NIOCore
import Synchronization

/// A streamed answer read in this process: chunks go into an `AsyncThrowingStream`, and the
/// reader reports what it takes, so a reader that falls too far behind is cut off as a
/// connection that stops reading is. Written only on the server's event loop.
final class InProcessStreamOutput: StreamOutput {
    var onEnd: (() -> Void)?
    let body: InProcessResponse.Body
    private let continuation: AsyncThrowingStream<[UInt8], any Error>.Continuation
    private let unread: UnreadBytes
    private let maximumUnreadBytes: Int
    private let clients: InProcessClients
    private var ended = false

    private init(maximumUnreadBytes: Int, clients: InProcessClients) {
        let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        let unread = UnreadBytes()
        body = .stream(stream, read: { unread.count.subtract($0, ordering: .relaxed) })
        self.continuation = continuation
        self.unread = unread
        self.maximumUnreadBytes = maximumUnreadBytes
        self.clients = clients
    }

    /// A new output, counted among the server's open streams until it ends; a reader that
    /// stops reading (cancelled, or let go) ends it. On the event loop.
    static func open(on eventLoop: any EventLoop, clients: InProcessClients,
                     maximumUnreadBytes: Int = .max) -> InProcessStreamOutput {
        let output = InProcessStreamOutput(maximumUnreadBytes: maximumUnreadBytes, clients: clients)
        let bound = NIOLoopBound(output, eventLoop: eventLoop)
        output.continuation.onTermination = { _ in eventLoop.execute { bound.value.end() } }
        let open = clients.add(ObjectIdentifier(output)) { try? await eventLoop.submit { bound.value.cut() }.get() }
        // Opened as the server stopped: cut at once, as a connection closed under it would be.
        if !open { output.cut() }
        return output
    }

    func write(_ bytes: [UInt8]) {
        guard !ended else { return }
        if unread.count.load(ordering: .relaxed) > maximumUnreadBytes { return cut() }
        unread.count.add(bytes.count, ordering: .relaxed)
        continuation.yield(bytes)
    }

    func end() {
        guard !ended else { return }
        ended = true
        continuation.finish()
        finished()
    }

    func cut() {
        guard !ended else { return }
        ended = true
        continuation.finish(throwing: InProcessStreamCut())
        finished()
    }

    private func finished() {
        clients.remove(ObjectIdentifier(self))
        onEnd?()
    }
}

private final class UnreadBytes: Sendable {
    let count = Atomic<Int>(0)
}
