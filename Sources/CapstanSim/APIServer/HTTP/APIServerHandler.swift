import CapstanAPI
import NIOCore
import NIOHTTP1

/// The per-connection NIO handler: collects each request, applies fault injection, routes it,
/// writes the response (or keeps the connection as a watch stream), and records it in the audit log.
final class APIServerHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let services: ServerServices
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var tooLarge = false
    private var activeWatch: WatchStream?
    private var watchTasks: [Scheduled<Void>] = []
    private var bookmarkTask: RepeatedTask?
    private var logFollowTask: RepeatedTask?
    /// How much of the followed log has been sent.
    private var logBytesSent = 0

    /// kube-apiserver refuses request bodies above 3 MiB.
    private static let maximumBodyBytes = 3 * 1024 * 1024

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
            if (body?.readableBytes ?? 0) + chunk.readableBytes > Self.maximumBodyBytes { tooLarge = true } else {
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
        stopWatch()
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
        if tooLarge {
            // apiserver's `limitedReadBody`: `NewRequestEntityTooLargeError("limit is N")`.
            let error = StatusError(code: 413, reason: "RequestEntityTooLarge",
                                    message: "Request entity too large: limit is \(Self.maximumBodyBytes)")
            return respond(context: context, request: request, response: .error(error), keepAlive: keepAlive)
        }
        if let fault = services.faults.fault(for: request) {
            return respond(context: context, request: request, response: .error(fault), keepAlive: keepAlive)
        }
        switch services.router.route(request) {
        case .response(let response):
            respond(context: context, request: request, response: response, keepAlive: keepAlive)
        case .watch(let plan):
            startWatch(context: context, request: request, plan: plan)
        case .logStream(let follow):
            startLogStream(context: context, request: request, follow: follow, keepAlive: keepAlive)
        }
    }

    /// What kube-apiserver's APF filter sets on the answers it classifies: the UIDs of the
    /// matched FlowSchema and PriorityLevelConfiguration (here those of a fixed
    /// `workload-low`, the level a controller's service account lands in).
    private func addPriorityAndFairness(_ headers: inout HTTPHeaders) {
        guard services.configuration.priorityAndFairness else { return }
        headers.add(name: "X-Kubernetes-PF-FlowSchema-UID", value: "5f0f3e0e-6a1c-4d36-9a43-6b0a3c8e2b11")
        headers.add(name: "X-Kubernetes-PF-PriorityLevel-UID", value: "8c2d7a55-1e0b-4f4d-b7c9-0d6e2f3a9c42")
    }

    private func respond(context: ChannelHandlerContext, request: APIRequest, response: APIResponse, keepAlive: Bool) {
        services.audit.record(request, code: response.status)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(response.body.count))
        headers.add(name: "Cache-Control", value: "no-cache, private")
        addPriorityAndFairness(&headers)
        for (name, value) in response.headers { headers.add(name: name, value: value) }
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

    private func startWatch(context: ChannelHandlerContext, request: APIRequest, plan: WatchPlan) {
        services.audit.record(request, code: 200)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Cache-Control", value: "no-cache, private")
        addPriorityAndFairness(&headers)
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))),
                              promise: nil)
        let loopBoundSelf = NIOLoopBound(self, eventLoop: context.eventLoop)
        let writer = WatchWriter(context: context, maximumUnwrittenBytes: services.configuration.maximumWatchBacklogBytes) {
            loopBoundSelf.value.stopWatch()
        }
        let stream = WatchStream(plan: plan, eventLoop: context.eventLoop, writer: writer,
                                 maximumBacklogBytes: services.configuration.maximumWatchBacklogBytes)
        activeWatch = stream
        let resource = plan.scope.type.groupResource
        do {
            try services.store.watch(resource, namespace: plan.filter.namespace, from: plan.resourceVersion, sink: stream)
        } catch {
            stream.deliverError(error)
            return
        }
        if plan.initialEventsEndBookmark {
            services.store.bookmark(resource, sink: stream, initialEventsEnd: true)
        }
        let loop = context.eventLoop
        watchTasks.append(loop.scheduleTask(in: .seconds(Int64(plan.timeoutSeconds))) { stream.finish() })
        if plan.bookmarks {
            let interval = services.configuration.bookmarkInterval
            let store = services.store
            bookmarkTask = loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
                store.bookmark(resource, sink: stream, initialEventsEnd: false)
            }
        }
        if let cutAfter = services.faults.watchCutDelay() {
            let writerBox = NIOLoopBound(writer, eventLoop: loop)
            watchTasks.append(loop.scheduleTask(in: cutAfter) { writerBox.value.cut() })
        }
    }

    /// Sends the log so far, then what the container adds, checking four times a second (the
    /// kubelet streams from the file as it grows); ends when the container does.
    private func startLogStream(context: ChannelHandlerContext, request: APIRequest, follow: PodLogFollow, keepAlive: Bool) {
        services.audit.record(request, code: 200)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain")
        headers.add(name: "Cache-Control", value: "no-cache, private")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        if !follow.initial.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: follow.initial)))), promise: nil)
        }
        context.flush()
        let loopBound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        logBytesSent = follow.fullLength
        logFollowTask = context.eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(250), delay: .milliseconds(250)) { task in
            let (handler, context) = loopBound.value
            let answer = follow.poll()
            if let log = answer?.log, log.count > handler.logBytesSent {
                let new = log[handler.logBytesSent...]
                context.write(handler.wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: new)))), promise: nil)
                handler.logBytesSent = log.count
            }
            guard answer == nil || answer!.ended else { return context.flush() }
            task.cancel()
            handler.logFollowTask = nil
            let done = context.writeAndFlush(handler.wrapOutboundOut(.end(nil)))
            if !keepAlive { done.whenComplete { _ in loopBound.value.context.close(promise: nil) } }
        }
    }

    private func stopWatch() {
        logFollowTask?.cancel()
        logFollowTask = nil
        guard let stream = activeWatch else { return }
        activeWatch = nil
        stream.finish()
        services.store.stopWatching(stream.plan.scope.type.groupResource, sink: stream)
        for task in watchTasks { task.cancel() }
        watchTasks.removeAll()
        bookmarkTask?.cancel()
        bookmarkTask = nil
    }
}
