import CapstanAPI

/// Handles one request on a resource path: picks the verb from the method and path, reads
/// the query parameters kube defines for it, and encodes the result.
struct ResourceRequestHandler {
    let operations: ResourceOperations
    var scope: ResourceOperations.Scope
    let request: APIRequest
    let info: RequestInfo
    let defaultWatchTimeoutSeconds: Int
    let podLogs: PodLogEndpoint

    private var type: ServedResource { scope.type }
    private var dryRun: Bool { request.query["dryRun"].map { !$0.isEmpty } ?? false }

    func handle() throws(StatusError) -> RouteOutcome {
        var handler = self
        handler.scope.strictFields = request.query["fieldValidation"] == "Strict"
        return try handler.dispatch()
    }

    private func dispatch() throws(StatusError) -> RouteOutcome {
        let name = info.name
        let subresource = info.subresource.isEmpty ? nil : info.subresource
        if type.namespaced && scope.namespace.isEmpty && (!name.isEmpty || request.method == "POST") {
            throw StatusError.pathNotFound()
        }
        if info.isWatchPath || (request.method == "GET" && request.flag("watch")) {
            guard request.method == "GET", subresource == nil else { throw StatusError.methodNotAllowed("watch requires GET") }
            return .watch(try watchPlan(name: name))
        }
        switch (request.method, name.isEmpty) {
        case ("GET", true):
            return .response(try list())
        case ("GET", false):
            if subresource == "log" && type.group.isEmpty && type.plural == "pods" {
                return try podLogs.answer(operations: operations, scope: scope, name: name, request: request)
            }
            if let subresource {
                return .response(try getSubresource(name: name, subresource: subresource))
            }
            return .response(try encodeObject(operations.get(scope, name: name)))
        case ("POST", true):
            return .response(try encodeObject(operations.create(scope, body: try body(), dryRun: dryRun), status: 201))
        case ("POST", false):
            return .response(try postSubresource(name: name, subresource: subresource))
        case ("PUT", false):
            return .response(try encodeObject(operations.update(scope, name: name, body: try body(),
                                                                subresource: subresource, dryRun: dryRun)))
        case ("PATCH", false):
            guard let patchType = ResourceOperations.PatchType(rawValue: request.mediaType) else {
                throw StatusError.unsupportedMediaType(request.mediaType, accepted: type.patchTypes)
            }
            return .response(try encodeObject(operations.patch(scope, name: name, type: patchType, patch: request.body,
                                                               subresource: subresource, dryRun: dryRun)))
        case ("DELETE", false):
            guard subresource == nil else { throw StatusError.methodNotAllowed("the server does not allow this method on the requested resource") }
            return .response(try encodeObject(operations.delete(scope, name: name, options: try deleteOptions())))
        case ("DELETE", true):
            return .response(try deleteCollection())
        default:
            throw StatusError.methodNotAllowed("the server does not allow this method on the requested resource")
        }
    }

    private func body() throws(StatusError) -> JSONValue {
        if request.mediaType == KubernetesProtobuf.mediaType { return try KubernetesProtobuf.decode(request.body) }
        if !request.mediaType.isEmpty && request.mediaType != "application/json" && request.mediaType != "*/*" {
            throw StatusError.unsupportedMediaType(request.mediaType, accepted: ["application/json", "application/yaml"])
        }
        do {
            return try JSONValue.parse(request.body)
        } catch {
            throw StatusError.badRequest(
                "couldn't get version/kind; json parse error: \(error.description)")
        }
    }

    private func encodeObject(_ object: StoredObject, status: Int = 200) throws(StatusError) -> APIResponse {
        if request.wantsTable {
            let converter = TableConverter(type: type)
            return .json(converter.table(for: [object], resourceVersion: object.resourceVersion, continueToken: nil))
        }
        return .bytes(object.bytes, status: status)
    }

    private func listOptions(name: String = "") throws(StatusError) -> ResourceOperations.ListOptions {
        var options = ResourceOperations.ListOptions()
        if let labels = request.query["labelSelector"] { options.labelSelector = try LabelSelector(parsing: labels) }
        var fieldText = request.query["fieldSelector"] ?? ""
        if !name.isEmpty { fieldText = fieldText.isEmpty ? "metadata.name=\(name)" : fieldText + ",metadata.name=\(name)" }
        if !fieldText.isEmpty { options.fieldSelector = try FieldSelector(parsing: fieldText, resource: type.groupResource) }
        if let limit = request.query["limit"], !limit.isEmpty {
            guard let value = Int(limit), value >= 0 else { throw StatusError.badRequest("invalid limit \"\(limit)\"") }
            options.limit = value
        }
        options.continueToken = request.query["continue"]
        return options
    }

    private func list() throws(StatusError) -> APIResponse {
        let page = try operations.list(scope, options: try listOptions())
        if request.wantsTable {
            return .json(TableConverter(type: type).table(for: page.items, resourceVersion: page.resourceVersion,
                                                          continueToken: page.continueToken))
        }
        return .bytes(ListEncoding.list(page, type: type))
    }

    private func watchPlan(name: String) throws(StatusError) -> WatchPlan {
        let options = try listOptions(name: name)
        var resourceVersion: Int?
        let text = request.query["resourceVersion"] ?? ""
        if !text.isEmpty && text != "0" {
            guard let parsed = Int(text) else {
                throw StatusError.badRequest("resourceVersion: Invalid value: \"\(text)\": must be a non-negative integer")
            }
            resourceVersion = parsed
        }
        let sendInitial = request.query["sendInitialEvents"] == "true"
        if sendInitial { resourceVersion = nil }
        var timeout = defaultWatchTimeoutSeconds
        if let value = request.query["timeoutSeconds"].flatMap({ Int($0) }), value > 0 { timeout = value }
        let namespace: String? = type.namespaced && !scope.namespace.isEmpty ? scope.namespace : nil
        return WatchPlan(scope: scope, resourceVersion: resourceVersion,
                         filter: WatchFilter(namespace: namespace, labels: options.labelSelector, fields: options.fieldSelector),
                         timeoutSeconds: timeout, bookmarks: request.flag("allowWatchBookmarks"),
                         initialEventsEndBookmark: sendInitial, table: request.wantsTable ? TableConverter(type: type) : nil)
    }

    private func deleteOptions() throws(StatusError) -> ResourceOperations.DeleteOptions {
        var body: JSONValue?
        if !request.body.isEmpty {
            do { body = try JSONValue.parse(request.body) } catch {
                throw StatusError.badRequest("couldn't get version/kind; json parse error: \(error.description)")
            }
        }
        var options = try ResourceOperations.DeleteOptions(body: body)
        if let policy = request.query["propagationPolicy"] {
            guard let parsed = ResourceOperations.Propagation(rawValue: policy) else {
                throw StatusError.badRequest("invalid propagationPolicy \"\(policy)\"")
            }
            options.propagation = parsed
        }
        if let grace = request.query["gracePeriodSeconds"].flatMap({ Int($0) }) { options.gracePeriodSeconds = grace }
        if dryRun { options.dryRun = true }
        return options
    }

    private func deleteCollection() throws(StatusError) -> APIResponse {
        let options = try deleteOptions()
        var listOptions = try self.listOptions()
        listOptions.limit = nil
        listOptions.continueToken = nil
        let page = try operations.list(scope, options: listOptions)
        var deleted: [StoredObject] = []
        for item in page.items {
            let itemScope = ResourceOperations.Scope(type: type, namespace: item.namespace)
            if let object = try? operations.delete(itemScope, name: item.name, options: options) { deleted.append(object) }
        }
        return .bytes(ListEncoding.list(ResourceOperations.ListPage(items: deleted, resourceVersion: operations.store.currentResourceVersion),
                                        type: type))
    }

    private func getSubresource(name: String, subresource: String) throws(StatusError) -> APIResponse {
        switch subresource {
        case "status" where type.hasStatus:
            return try encodeObject(operations.get(scope, name: name))
        default:
            throw StatusError.pathNotFound()
        }
    }

    private func postSubresource(name: String, subresource: String?) throws(StatusError) -> APIResponse {
        guard type.group.isEmpty && type.plural == "pods" else {
            throw StatusError.methodNotAllowed("the server does not allow this method on the requested resource")
        }
        switch subresource {
        case "binding":
            let binding = try body()
            try operations.bind(scope, podName: name, binding: binding, dryRun: dryRun)
            return .json(["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success", "code": 201], status: 201)
        case "eviction":
            let eviction = try body()
            var options = try ResourceOperations.DeleteOptions(body: eviction["deleteOptions"])
            options.dryRun = options.dryRun || dryRun
            _ = try operations.delete(scope, name: name, options: options)
            return .json(["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success", "code": 201], status: 201)
        default:
            throw StatusError.pathNotFound()
        }
    }
}
