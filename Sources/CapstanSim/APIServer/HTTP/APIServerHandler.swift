import CapstanAPI
import NIOCore
import NIOHTTP1

/// The per-connection NIO handler: collects each request, dispatches it (size limit, fault
/// injection, routing), writes the response (or keeps the connection as a watch or a followed
/// log), and records it in the audit log.
final class APIServerHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let services: ServerServices
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var tooLarge = false
    private var activeWatch: WatchSession?
    private var logFollow: LogFollowSession?

    init(services: ServerServices) {
        self.services = services
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = context.channel.allocator.buffer(capacity: 0)
            tooLarge = false
        case .body(var chunk):
            if (body?.readableBytes ?? 0) + chunk.readableBytes > ServerServices.maximumBodyBytes { tooLarge = true } else {
                body?.writeBuffer(&chunk)
            }
        case .end:
            guard let head else { return }
            self.head = nil
            let bytes = body.map { Array($0.readableBytesView) } ?? []
            body = nil
            handle(context: context, head: head, body: bytes)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        stopStreams()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func handle(context: ChannelHandlerContext, head: HTTPRequestHead, body: [UInt8]) {
        let request = APIRequest(method: head.method.rawValue, uri: head.uri,
                                 accept: head.headers.first(name: "accept") ?? "",
                                 contentType: head.headers.first(name: "content-type") ?? "",
                                 userAgent: head.headers.first(name: "user-agent") ?? "", body: body)
        let keepAlive = head.isKeepAlive
        switch services.dispatch(request, bodyTooLarge: tooLarge) {
        case .response(let response):
            respond(context: context, request: request, response: response, keepAlive: keepAlive)
        case .watch(let plan):
            services.audit.record(request, code: 200)
            writeStreamHead(context: context, contentType: "application/json")
            let output = ChannelStreamOutput(context: context, maximumUnwrittenBytes: services.configuration.maximumWatchBacklogBytes)
            let session = WatchSession(plan: plan, output: output, services: services, eventLoop: context.eventLoop)
            activeWatch = session
            session.start()
        case .logStream(let follow):
            services.audit.record(request, code: 200)
            writeStreamHead(context: context, contentType: "text/plain")
            let output = ChannelStreamOutput(context: context, closesAfterEnd: !keepAlive)
            let session = LogFollowSession(follow: follow, output: output, eventLoop: context.eventLoop)
            logFollow = session
            session.start()
        }
    }

    private func respond(context: ChannelHandlerContext, request: APIRequest, response: APIResponse, keepAlive: Bool) {
        services.audit.record(request, code: response.status)
        var headers = HTTPHeaders(services.headers(contentType: response.contentType, extra: response.headers))
        headers.add(name: "Content-Length", value: String(response.body.count))
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let responseHead = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: response.status),
                                            headers: headers)
        context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
        if !response.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))),
                          promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            done.whenComplete { _ in loopBound.value.close(promise: nil) }
        }
    }

    /// A streamed answer's status line and headers: 200, no length.
    private func writeStreamHead(context: ChannelHandlerContext, contentType: String) {
        let headers = HTTPHeaders(services.headers(contentType: contentType))
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))),
                              promise: nil)
    }

    private func stopStreams() {
        activeWatch?.stop()
        activeWatch = nil
        logFollow?.stop()
        logFollow = nil
    }
}
