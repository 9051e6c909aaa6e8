import CapstanKube
import NIOCore

/// The sim's API server for clients in its own process (`KubeClient(inProcess:)`): each
/// request runs on the server's event loop, as one from a connection does, through the same
/// dispatch (body limit, `--fault-rate`, routing), headers and audit log. Only the sockets and
/// the HTTP framing are left out.
struct InProcessEndpoint: InProcessAPIServer {
    let services: ServerServices
    let eventLoop: any EventLoop

    func serve(_ request: InProcessRequest) async throws -> InProcessResponse {
        let api = APIRequest(method: request.method, uri: request.uri, accept: request.accept,
                             contentType: request.contentType, userAgent: request.userAgent, body: request.body)
        let services = self.services
        let eventLoop = self.eventLoop
        return try await eventLoop.submit { Self.answer(api, services: services, eventLoop: eventLoop) }.get()
    }

    /// On the event loop.
    private static func answer(_ request: APIRequest, services: ServerServices, eventLoop: any EventLoop) -> InProcessResponse {
        switch services.dispatch(request, bodyTooLarge: request.body.count > ServerServices.maximumBodyBytes) {
        case .response(let response):
            services.audit.record(request, code: response.status)
            return InProcessResponse(status: response.status,
                                     headers: services.headers(contentType: response.contentType, extra: response.headers),
                                     body: .complete(response.body))
        case .watch(let plan):
            services.audit.record(request, code: 200)
            let output = InProcessStreamOutput.open(on: eventLoop, streams: services.inProcessStreams,
                                                    maximumUnreadBytes: services.configuration.maximumWatchBacklogBytes)
            WatchSession(plan: plan, output: output, services: services, eventLoop: eventLoop).start()
            return InProcessResponse(status: 200, headers: services.headers(contentType: "application/json"), body: output.body)
        case .logStream(let follow):
            services.audit.record(request, code: 200)
            let output = InProcessStreamOutput.open(on: eventLoop, streams: services.inProcessStreams)
            LogFollowSession(follow: follow, output: output, eventLoop: eventLoop).start()
            return InProcessResponse(status: 200, headers: services.headers(contentType: "text/plain"), body: output.body)
        }
    }
}
