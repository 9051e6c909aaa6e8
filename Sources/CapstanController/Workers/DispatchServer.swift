import CapstanAPI
import CapstanWorker
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// `POST /v1/workers/poll` on `--dispatch-addr`: where `map.workers` worker pods take their
/// items (SPEC §15). A plain HTTP/1.1 listener; each poll is answered by `WorkerDispatcher`,
/// which may hold it a few seconds for work.
public final class DispatchServer: Service, Sendable {
    /// The address bound, with the real port when the flag asked for port 0.
    public let address: ListenAddress
    private let channel: Channel
    private let logger: Logger

    private init(address: ListenAddress, channel: Channel, logger: Logger) {
        self.address = address
        self.channel = channel
        self.logger = logger
    }

    public static func bind(_ address: ListenAddress, dispatcher: WorkerDispatcher, logger: Logger,
                            eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> DispatchServer {
        let bootstrap = ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(DispatchHTTPHandler(dispatcher: dispatcher, logger: logger))
                }
            }
        let channel: Channel
        do {
            channel = try await bootstrap.bind(host: address.bindHost, port: address.port).get()
        } catch {
            throw ObservabilityServerError(description: "cannot listen on \(address) (--dispatch-addr): \(error)")
        }
        let bound = ListenAddress(host: address.host, port: channel.localAddress?.port ?? address.port)
        logger.info("serving worker dispatch", metadata: ["dispatch-addr": "\(bound)"])
        return DispatchServer(address: bound, channel: channel, logger: logger)
    }

    public func run() async throws {
        try? await gracefulShutdown()
        try? await channel.close()
    }

    public func close() async {
        try? await channel.close()
    }
}

/// One connection: reads a poll, answers it when the dispatcher does, keeps the connection
/// for the worker's next poll.
private final class DispatchHTTPHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let dispatcher: WorkerDispatcher
    private let logger: Logger
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()
    private var pending: Task<Void, Never>?

    /// A poll is a few result summaries; anything much larger is not a worker's.
    private static let maximumBody = 4 << 20

    init(dispatcher: WorkerDispatcher, logger: Logger) {
        self.dispatcher = dispatcher
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
        case .body(var chunk):
            if body.readableBytes + chunk.readableBytes <= Self.maximumBody { body.writeBuffer(&chunk) }
        case .end:
            guard let head else { return }
            self.head = nil
            handle(head, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        pending?.cancel()
        context.fireChannelInactive()
    }

    private func handle(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = String(head.uri.prefix { $0 != "?" })
        guard path == WorkerProtocol.pollPath else {
            return respond(.notFound, text: "not found: \(path) (this address serves POST \(WorkerProtocol.pollPath))\n", head: head, context: context)
        }
        guard head.method == .POST else {
            return respond(.methodNotAllowed, text: "method \(head.method.rawValue) not allowed: use POST\n", head: head, context: context)
        }
        let authorization = head.headers.first(name: "Authorization") ?? ""
        guard authorization.hasPrefix("Bearer ") else {
            return respond(.unauthorized, text: "a worker poll needs Authorization: Bearer CAPSTAN_WORKER_TOKEN\n", head: head, context: context)
        }
        let token = String(authorization.dropFirst("Bearer ".count))
        let poll: WorkerPoll
        do {
            poll = try WorkerPoll(json: JSONValue.parse(body.readableBytesView))
        } catch {
            return respond(.badRequest, text: "the body is not a worker poll: \(error)\n", head: head, context: context)
        }
        let dispatcher = self.dispatcher
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        pending = Task {
            let answer = await dispatcher.poll(poll, token: token)
            eventLoop.execute {
                let (handler, context) = loopBound.value
                handler.pending = nil
                switch answer {
                case .assignment(let assignment):
                    handler.respond(.ok, body: assignment.json.serialized(), contentType: "application/json", head: head, context: context)
                case .refused(let message):
                    handler.logger.warning("refused a worker poll", metadata: ["pod": "\(poll.claims.namespace)/\(poll.claims.pod)", "reason": "\(message)"])
                    handler.respond(.unauthorized, text: message + "\n", head: head, context: context)
                }
            }
        }
    }

    private func respond(_ status: HTTPResponseStatus, text: String, head: HTTPRequestHead, context: ChannelHandlerContext) {
        respond(status, body: Array(text.utf8), contentType: "text/plain; charset=utf-8", head: head, context: context)
    }

    private func respond(_ status: HTTPResponseStatus, body: [UInt8], contentType: String, head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(body.count))
        let keepAlive = head.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { channel.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
