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
    private let streams: OpenInProcessStreams
    private var ended = false

    private init(maximumUnreadBytes: Int, streams: OpenInProcessStreams) {
        let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        let unread = UnreadBytes()
        body = .stream(stream, read: { unread.count.subtract($0, ordering: .relaxed) })
        self.continuation = continuation
        self.unread = unread
        self.maximumUnreadBytes = maximumUnreadBytes
        self.streams = streams
    }

    /// A new output, counted among the server's open streams until it ends; a reader that
    /// stops reading (cancelled, or let go) ends it.
    static func open(on eventLoop: any EventLoop, streams: OpenInProcessStreams,
                     maximumUnreadBytes: Int = .max) -> InProcessStreamOutput {
        let output = InProcessStreamOutput(maximumUnreadBytes: maximumUnreadBytes, streams: streams)
        let bound = NIOLoopBound(output, eventLoop: eventLoop)
        streams.add(ObjectIdentifier(output)) { try? await eventLoop.submit { bound.value.cut() }.get() }
        output.continuation.onTermination = { _ in eventLoop.execute { bound.value.end() } }
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
        streams.remove(ObjectIdentifier(self))
        onEnd?()
    }
}

private final class UnreadBytes: Sendable {
    let count = Atomic<Int>(0)
}

/// The in-process answers still streaming, so that stopping the server cuts them, as closing
/// its connections cuts the watches over HTTP.
final class OpenInProcessStreams: Sendable {
    private let open = Mutex<[ObjectIdentifier: @Sendable () async -> Void]>([:])

    func add(_ id: ObjectIdentifier, cut: @escaping @Sendable () async -> Void) {
        open.withLock { $0[id] = cut }
    }

    func remove(_ id: ObjectIdentifier) {
        _ = open.withLock { $0.removeValue(forKey: id) }
    }

    /// Cuts every open stream; returns once each cut has run on its event loop.
    func cutAll() async {
        let cuts = open.withLock { open in
            defer { open.removeAll() }
            return Array(open.values)
        }
        for cut in cuts { await cut() }
    }
}
