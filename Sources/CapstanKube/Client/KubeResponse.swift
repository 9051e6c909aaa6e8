import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// An answer with its body unread, from either transport.
struct KubeResponse: Sendable {
    var status: Int
    var body: KubeResponseBody
    private let headers: Headers

    /// Kept as each transport gives them: looked up only on a failure or while rate-limited,
    /// so nothing is built for them on the way in.
    private enum Headers: Sendable {
        case http(HTTPHeaders)
        case pairs([(String, String)])
    }

    init(_ response: HTTPClientResponse) {
        status = Int(response.status.code)
        body = KubeResponseBody(.http(response.body))
        headers = .http(response.headers)
    }

    init(_ response: InProcessResponse) {
        status = response.status
        switch response.body {
        case .complete(let bytes): body = KubeResponseBody(.complete(bytes))
        case .stream(let stream, let read): body = KubeResponseBody(.stream(stream, read: read))
        }
        headers = .pairs(response.headers)
    }

    /// The first value of the header `name` (case-insensitive).
    func header(_ name: String) -> String? {
        switch headers {
        case .http(let headers): headers.first(name: name)
        case .pairs(let pairs): pairs.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }
}

/// An answer's body, read once: collected whole, or chunk by chunk as it arrives.
struct KubeResponseBody: Sendable, AsyncSequence {
    typealias Element = ByteBuffer

    enum Source: Sendable {
        case http(HTTPClientResponse.Body)
        case complete([UInt8])
        case stream(AsyncThrowingStream<[UInt8], any Error>, read: @Sendable (Int) -> Void)
    }

    let source: Source

    init(_ source: Source) {
        self.source = source
    }

    /// The whole body; throws past `limit` bytes.
    func collect(upTo limit: Int) async throws -> ByteBuffer {
        switch source {
        case .http(let body):
            return try await body.collect(upTo: limit)
        case .complete(let bytes):
            guard bytes.count <= limit else { throw NIOTooManyBytesError(maxBytes: limit) }
            return ByteBuffer(bytes: bytes)
        case .stream:
            var whole = ByteBuffer()
            for try await var chunk in self {
                guard whole.readableBytes + chunk.readableBytes <= limit else { throw NIOTooManyBytesError(maxBytes: limit) }
                whole.writeBuffer(&chunk)
            }
            return whole
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        switch source {
        case .http(let body): AsyncIterator(.http(body.makeAsyncIterator()))
        case .complete(let bytes): AsyncIterator(.complete(bytes.isEmpty ? nil : bytes))
        case .stream(let stream, let read): AsyncIterator(.stream(stream.makeAsyncIterator(), read: read))
        }
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        enum State {
            case http(HTTPClientResponse.Body.AsyncIterator)
            case complete([UInt8]?)
            case stream(AsyncThrowingStream<[UInt8], any Error>.AsyncIterator, read: @Sendable (Int) -> Void)
        }

        var state: State

        init(_ state: State) {
            self.state = state
        }

        mutating func next() async throws -> ByteBuffer? {
            switch state {
            case .http(var iterator):
                defer { state = .http(iterator) }
                return try await iterator.next()
            case .complete(let bytes):
                state = .complete(nil)
                return bytes.map { ByteBuffer(bytes: $0) }
            case .stream(var iterator, let read):
                defer { state = .stream(iterator, read: read) }
                guard let chunk = try await iterator.next() else { return nil }
                read(chunk.count)
                return ByteBuffer(bytes: chunk)
            }
        }

        /// The next piece of a streamed answer; a broken connection is a `.transport` `KubeError`.
        mutating func nextChunk(request: String) async throws -> ByteBuffer? {
            do {
                return try await next()
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                throw KubeError.transport(error, request: request)
            }
        }
    }
}
