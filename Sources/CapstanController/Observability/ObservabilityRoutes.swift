import NIOHTTP1

/// The paths one listener serves and what each answers. Pure, so the answers are testable
/// without a socket; `ObservabilityHTTPHandler` puts them on the wire.
struct ObservabilityRoutes: Sendable {
    struct Response: Sendable {
        var status: HTTPResponseStatus
        var contentType: String
        var body: [UInt8]
        var allow: String?
    }

    var metrics: ControllerMetrics?
    var health: HealthChecks?

    /// The paths this listener answers, for the 404 message.
    var paths: [String] {
        (metrics == nil ? [] : ["/metrics"]) + (health == nil ? [] : ["/healthz", "/readyz"])
    }

    func respond(method: HTTPMethod, uri: String) -> Response {
        let path = String(uri.prefix { $0 != "?" })
        guard paths.contains(path) else {
            return .text(.notFound, "not found: \(path) (this address serves \(paths.joined(separator: ", ")))\n")
        }
        guard method == .GET || method == .HEAD else {
            var response = Response.text(.methodNotAllowed, "method \(method.rawValue) not allowed: use GET\n")
            response.allow = "GET, HEAD"
            return response
        }
        switch path {
        case "/metrics":
            return Response(status: .ok, contentType: MetricsExposition.contentType, body: metrics!.exposition())
        case "/healthz":
            if let problem = health!.livenessProblem() {
                return .text(.serviceUnavailable, "unhealthy: \(problem)\n")
            }
            return .text(.ok, "ok\n")
        default:
            if let problem = health!.readinessProblem() {
                return .text(.serviceUnavailable, "not ready: \(problem)\n")
            }
            return .text(.ok, "ok\n")
        }
    }
}

extension ObservabilityRoutes.Response {
    static func text(_ status: HTTPResponseStatus, _ text: String) -> Self {
        Self(status: status, contentType: "text/plain; charset=utf-8", body: Array(text.utf8))
    }
}
