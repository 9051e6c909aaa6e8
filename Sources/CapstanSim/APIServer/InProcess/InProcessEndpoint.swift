import CapstanKube
import NIOCore

/// The sim's API server for clients in its own process (`KubeClient(inProcess:)`): each
/// request goes through the same dispatch as one from a connection (body limit,
/// `--fault-rate`, routing), headers and audit log. Only the sockets and the HTTP framing are
/// left out. A request is served on the caller's thread, as the store and the routing are
/// safe from any thread (`--event-loop-threads` serves connections on several); watches and
/// followed logs, which live on an event loop, are opened there. Served on the event loop,
/// the kubelets' requests queued behind the controller's (docs/performance.md, `map-1m`).
struct InProcessEndpoint: InProcessAPIServer {
    let services: ServerServices
    let eventLoop: any EventLoop

    func serve(_ request: InProcessRequest) async throws -> InProcessResponse {
        let api = APIRequest(method: request.method, uri: request.uri, accept: request.accept,
                             contentType: request.contentType, userAgent: request.userAgent, body: request.body)
        let services = self.services
        let eventLoop = self.eventLoop
        try services.inProcessClients.checkServing()
        switch services.dispatch(api, bodyTooLarge: api.body.count > ServerServices.maximumBodyBytes) {
        case .response(let response):
            services.audit.record(api, code: response.status)
            return InProcessResponse(status: response.status,
                                     headers: services.headers(contentType: response.contentType, extra: response.headers),
                                     body: .complete(response.body))
        case .watch(let plan):
            services.audit.record(api, code: 200)
            return try await eventLoop.submit {
                let output = InProcessStreamOutput.open(on: eventLoop, clients: services.inProcessClients,
                                                        maximumUnreadBytes: services.configuration.maximumWatchBacklogBytes)
                WatchSession(plan: plan, output: output, services: services, eventLoop: eventLoop).start()
                return InProcessResponse(status: 200, headers: services.headers(contentType: "application/json"), body: output.body)
            }.get()
        case .logStream(let follow):
            services.audit.record(api, code: 200)
            return try await eventLoop.submit {
                let output = InProcessStreamOutput.open(on: eventLoop, clients: services.inProcessClients)
                LogFollowSession(follow: follow, output: output, eventLoop: eventLoop).start()
                return InProcessResponse(status: 200, headers: services.headers(contentType: "text/plain"), body: output.body)
            }.get()
        }
    }
}
