import CapstanAPI

/// What the HTTP layer should do with a request.
enum RouteOutcome: Sendable {
    case response(APIResponse)
    case watch(WatchPlan)
    /// `pods/NAME/log?follow=true` of a running container.
    case logStream(PodLogFollow)
}

/// Everything needed to open a watch stream once the HTTP layer has a channel for it.
struct WatchPlan: Sendable {
    var scope: ResourceOperations.Scope
    /// nil: start with the current objects as ADDED events.
    var resourceVersion: Int?
    var filter: WatchFilter
    var timeoutSeconds: Int
    var bookmarks: Bool
    var initialEventsEndBookmark: Bool
    var table: TableConverter?
}

/// Maps requests to discovery documents and resource operations.
struct APIRouter: Sendable {
    let operations: ResourceOperations
    let discovery: Discovery
    let openAPI: OpenAPIDocuments
    let podLogs: PodLogEndpoint
    /// Watches without `timeoutSeconds` end after this long, as kube's min-request-timeout does.
    var defaultWatchTimeoutSeconds = 1800

    func route(_ request: APIRequest) -> RouteOutcome {
        do {
            return try routeThrowing(request)
        } catch {
            return .response(.error(error))
        }
    }

    private func routeThrowing(_ request: APIRequest) throws(StatusError) -> RouteOutcome {
        switch request.path {
        case "/version", "/version/":
            return .response(.json(Discovery.version))
        case "/healthz", "/livez", "/readyz":
            return .response(.bytes(Array("ok".utf8), contentType: "text/plain; charset=utf-8"))
        case "/openapi/v2":
            if request.accept.contains("com.github.proto-openapi.spec.v2") {
                return .response(.bytes(openAPI.v2Protobuf(), contentType: OpenAPIDocuments.v2ProtobufMediaType))
            }
            return .response(.json(openAPI.v2()))
        case "/openapi/v3":
            return .response(.json(openAPI.v3Root()))
        default:
            break
        }
        if request.path.hasPrefix("/openapi/v3/") {
            let groupVersionPath = String(request.path.dropFirst("/openapi/v3/".count))
            guard let document = openAPI.v3(path: groupVersionPath) else { throw StatusError.pathNotFound() }
            return .response(.json(document))
        }
        guard let info = RequestInfo.parse(request.path) else { throw StatusError.pathNotFound() }
        switch info.target {
        case .discovery(let group, let version, let legacy):
            guard request.method == "GET" else { throw StatusError.methodNotAllowed("the server does not allow this method on the requested resource") }
            return .response(try discovery.respond(group: group, version: version, legacy: legacy, accept: request.accept))
        case .resource:
            return try routeResource(request, info)
        }
    }

    private func routeResource(_ request: APIRequest, _ info: RequestInfo) throws(StatusError) -> RouteOutcome {
        let groupVersion = GroupVersion(group: info.group, version: info.version)
        guard let type = operations.registry.lookup(groupVersion, plural: info.resource) else {
            throw StatusError.pathNotFound()
        }
        if !type.namespaced && !info.namespace.isEmpty && type.plural != "namespaces" { throw StatusError.pathNotFound() }
        let scope = ResourceOperations.Scope(type: type, namespace: type.plural == "namespaces" ? "" : info.namespace)
        let handler = ResourceRequestHandler(operations: operations, scope: scope, request: request, info: info,
                                             defaultWatchTimeoutSeconds: defaultWatchTimeoutSeconds, podLogs: podLogs)
        return try handler.handle()
    }
}
