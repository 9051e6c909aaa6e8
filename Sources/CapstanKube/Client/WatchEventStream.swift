import CapstanAPI
import NIOCore

/// The events of one watch request, read line by line from the open response as they
/// arrive. It ends when the server closes the stream (after `timeoutSeconds`); transport
/// failures throw a `KubeError` with reason `.transport`. `ERROR` events are delivered as
/// events, not thrown, so the caller sees the `Status` (e.g. 410 → relist).
///
/// A stream can be iterated once. Stopping the iteration (or cancelling the task) closes
/// the connection.
public struct WatchEventStream: AsyncSequence, Sendable {
    public typealias Element = WatchEvent

    private enum Source: Sendable {
        case http(KubeResponseBody, request: String, skipping: JSONSkipList, skippingDeletions: JSONSkipList?)
        case events(AsyncThrowingStream<WatchEvent, any Error>)
    }

    private let source: Source

    /// `skippingDeletions`, when given, replaces `skipping` for DELETED events.
    init(body: KubeResponseBody, request: String, skipping: JSONSkipList = JSONSkipList([]),
         skippingDeletions: JSONSkipList? = nil) {
        source = .http(body, request: request, skipping: skipping, skippingDeletions: skippingDeletions)
    }

    /// A stream fed by other code: fakes in tests, or adapters.
    public init(_ events: AsyncThrowingStream<WatchEvent, any Error>) {
        source = .events(events)
    }

    public func makeAsyncIterator() -> AsyncIterator {
        switch source {
        case .http(let body, let request, let skipping, let skippingDeletions):
            return AsyncIterator(body: body.makeAsyncIterator(), events: nil, request: request, skipping: skipping,
                                 skippingDeletions: skippingDeletions)
        case .events(let stream):
            return AsyncIterator(body: nil, events: stream.makeAsyncIterator(), request: "watch", skipping: JSONSkipList([]),
                                 skippingDeletions: nil)
        }
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var body: KubeResponseBody.AsyncIterator?
        var events: AsyncThrowingStream<WatchEvent, any Error>.AsyncIterator?
        var lines = LineSplitter()
        let request: String
        let skipping: JSONSkipList
        let skippingDeletions: JSONSkipList?
        var finished = false

        init(body: KubeResponseBody.AsyncIterator?, events: AsyncThrowingStream<WatchEvent, any Error>.AsyncIterator?, request: String,
             skipping: JSONSkipList, skippingDeletions: JSONSkipList?) {
            self.body = body
            self.events = events
            self.request = request
            self.skipping = skipping
            self.skippingDeletions = skippingDeletions
        }

        public mutating func next() async throws -> WatchEvent? {
            if events != nil {
                return try await events!.next()
            }
            while !finished {
                if let line = lines.nextLine() {
                    return try parse(line)
                }
                let chunk: ByteBuffer?
                do {
                    chunk = try await body!.nextChunk(request: request)
                } catch {
                    finished = true
                    throw error
                }
                guard let chunk else {
                    finished = true
                    if let last = lines.remainder() { return try parse(last) }
                    return nil
                }
                lines.append(chunk.readableBytesView)
            }
            return nil
        }

        private func parse(_ line: [UInt8]) throws -> WatchEvent {
            do {
                if let skippingDeletions, WatchEvent.isDeletion(line) {
                    return try WatchEvent.parse(line: line, skipping: skippingDeletions)
                }
                return try WatchEvent.parse(line: line, skipping: skipping)
            } catch var error as KubeError {
                error.request = request
                throw error
            }
        }
    }
}
