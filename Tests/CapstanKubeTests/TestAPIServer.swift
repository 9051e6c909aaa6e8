import CapstanAPI
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import TestSupport

/// A tiny HTTP(S) server on 127.0.0.1 for what `capstan sim` does not cover: TLS with a
/// custom CA and client certificates, and scripted answers (401 on a rotated token).
final class TestAPIServer: Sendable {
    struct Request: Sendable {
        var method: String
        var uri: String
        var authorization: String?
    }

    typealias Responder = @Sendable (Request) -> (HTTPResponseStatus, JSONValue)

    let port: Int
    private let channel: any Channel
    private let group: MultiThreadedEventLoopGroup
    private let seen = SharedMutex([Request]())

    var requests: [Request] { seen.withLock { $0 } }

    /// - Parameter tls: serve HTTPS with the test server certificate; with
    ///   `requireClientCertificate` the handshake fails unless the client presents a
    ///   certificate signed by the test CA.
    init(tls: Bool, requireClientCertificate: Bool = false, respond: @escaping Responder) async throws {
        var sslContext: NIOSSLContext?
        if tls {
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(TestCertificates.serverCertificate.utf8)).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(TestCertificates.serverKey.utf8), format: .pem)))
            if requireClientCertificate {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(TestCertificates.caCertificate.utf8)))
                configuration.certificateVerification = .noHostnameVerification
            }
            sslContext = try NIOSSLContext(configuration: configuration)
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let seen = self.seen
        let context = sslContext
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let context {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(respond: respond, seen: seen))
                }
            }
        self.group = group
        channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress!.port!
    }

    func stop() async throws {
        try await channel.close()
        try await group.shutdownGracefully()
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let respond: Responder
        let seen: SharedMutex<[Request]>
        var head: HTTPRequestHead?

        init(respond: @escaping Responder, seen: SharedMutex<[Request]>) {
            self.respond = respond
            self.seen = seen
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
            case .body:
                break
            case .end:
                guard let head else { return }
                let request = Request(method: head.method.rawValue, uri: head.uri, authorization: head.headers.first(name: "Authorization"))
                seen.withLock { $0.append(request) }
                let (status, body) = respond(request)
                let bytes = body.serialized()
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: "application/json")
                headers.add(name: "Content-Length", value: String(bytes.count))
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: bytes)))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
