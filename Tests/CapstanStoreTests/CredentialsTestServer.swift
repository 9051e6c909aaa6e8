@testable import CapstanStore
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// An HTTP server on 127.0.0.1 playing a credentials endpoint (the container agent, instance
/// metadata), so the providers are tested through the real HTTP client: headers on the wire,
/// deadlines, connection handling. Answers each request with what `respond` returns, or
/// never when it returns nil (an endpoint that hangs), and records what arrived.
final class CredentialsTestServer: Sendable {
    struct Request: Sendable {
        var method: String
        var path: String
        var headers: [(String, String)]

        func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    struct Answer: Sendable {
        var status: Int
        var body: String

        init(_ body: String, status: Int = 200) {
            self.status = status
            self.body = body
        }
    }

    typealias Responder = @Sendable (_ request: Request, _ index: Int) -> Answer?

    let port: Int
    private let channel: any Channel
    private let group: MultiThreadedEventLoopGroup
    private let recorder: Recorder

    var url: String { "http://127.0.0.1:\(port)" }
    var requests: [Request] { recorder.requests.withLock { $0 } }

    init(_ respond: @escaping Responder) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let recorder = Recorder()
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(respond: respond, recorder: recorder))
                }
            }
        self.group = group
        self.recorder = recorder
        channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress!.port!
    }

    func stop() async throws {
        try await channel.close()
        try await group.shutdownGracefully()
    }

    private final class Recorder: Sendable {
        let requests = Mutex<[Request]>([])

        /// The request's index among all the server received.
        func record(_ request: Request) -> Int {
            requests.withLock { seen in
                seen.append(request)
                return seen.count - 1
            }
        }
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let respond: Responder
        let recorder: Recorder
        var head: HTTPRequestHead?

        init(respond: @escaping Responder, recorder: Recorder) {
            self.respond = respond
            self.recorder = recorder
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
            case .body:
                break
            case .end:
                guard let head else { return }
                let request = Request(method: head.method.rawValue, path: head.uri,
                                      headers: head.headers.map { ($0.name, $0.value) })
                guard let answer = respond(request, recorder.record(request)) else { return }
                var headers = HTTPHeaders()
                headers.add(name: "Content-Length", value: String(answer.body.utf8.count))
                let status = HTTPResponseStatus(statusCode: answer.status)
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: answer.body)))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}

/// The transport the store uses, over a client of its own; closed after `body`.
func withStoreTransport(_ body: (AsyncHTTPClientTransport) async throws -> Void) async throws {
    let client = S3Store.makeHTTPClient()
    do {
        try await body(AsyncHTTPClientTransport(client: client))
        try await client.shutdown()
    } catch {
        try? await client.shutdown()
        throw error
    }
}

/// A server for the duration of `body`, stopped after it.
func withCredentialsServer<T>(_ respond: @escaping CredentialsTestServer.Responder,
                              _ body: (CredentialsTestServer) async throws -> T) async throws -> T {
    let server = try await CredentialsTestServer(respond)
    do {
        let result = try await body(server)
        try await server.stop()
        return result
    } catch {
        try? await server.stop()
        throw error
    }
}

/// The JSON both endpoints answer with.
func credentialsJSON(key: String, expiration: String) -> String {
    #"{"AccessKeyId":"\#(key)","SecretAccessKey":"secret-\#(key)","Token":"token-\#(key)","Expiration":"\#(expiration)"}"#
}
