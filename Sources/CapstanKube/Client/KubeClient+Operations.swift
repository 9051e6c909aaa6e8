import CapstanAPI
import NIOHTTP1

extension KubeClient: ResourceReader, ResourceWatcher, ResourceWriter, StatusWriter {
    public func get(_ resource: ResourceType, namespace: String?, name: String) async throws -> JSONValue {
        try await send(KubeRequest(verb: .get, method: .GET, address: ResourceAddress(resource, namespace: namespace, name: name), idempotent: true))
    }

    public func list(_ resource: ResourceType, namespace: String?, options: ListOptions) async throws -> ObjectList {
        let answer = try await send(KubeRequest(verb: .list, method: .GET, address: ResourceAddress(resource, namespace: namespace),
                                                query: options.queryItems, idempotent: true))
        return ObjectList(response: answer)
    }

    public func watch(_ resource: ResourceType, namespace: String?, options: WatchOptions) async throws -> WatchEventStream {
        let request = KubeRequest(verb: .watch, method: .GET, address: ResourceAddress(resource, namespace: namespace),
                                  query: options.queryItems, idempotent: true)
        let response = try await execute(request)
        return WatchEventStream(body: response.body, request: request.summary, skipping: options.skipList,
                                skippingDeletions: options.deletionSkipList)
    }

    public func create(_ resource: ResourceType, namespace: String?, object: JSONValue) async throws -> JSONValue {
        let name = object.kubeMeta.name ?? ""
        return try await send(KubeRequest(
            verb: .create, method: .POST,
            address: ResourceAddress(resource, namespace: namespace ?? object.kubeMeta.namespace),
            body: object,
            // A fixed name makes a repeat harmless (409 AlreadyExists); generateName would create twice.
            idempotent: !name.isEmpty))
    }

    public func createIgnoringAnswer(_ resource: ResourceType, namespace: String?, object: JSONValue) async throws {
        try await sendIgnoringAnswer(KubeRequest(
            verb: .create, method: .POST, address: ResourceAddress(resource, namespace: namespace ?? object.kubeMeta.namespace),
            body: object, idempotent: !(object.kubeMeta.name ?? "").isEmpty))
    }

    public func deleteIgnoringAnswer(_ resource: ResourceType, namespace: String?, name: String, options: DeleteOptions) async throws {
        try await sendIgnoringAnswer(KubeRequest(verb: .delete, method: .DELETE, address: ResourceAddress(resource, namespace: namespace, name: name),
                                                 body: options.body, idempotent: true))
    }

    public func update(_ resource: ResourceType, namespace: String?, object: JSONValue) async throws -> JSONValue {
        try await send(KubeRequest(verb: .update, method: .PUT, address: try address(resource, namespace, object), body: object, idempotent: true))
    }

    public func patch(_ resource: ResourceType, namespace: String?, name: String, patch: Patch) async throws -> JSONValue {
        try await send(KubeRequest(verb: .patch, method: .PATCH, address: ResourceAddress(resource, namespace: namespace, name: name),
                                   body: patch.body, contentType: patch.kind.rawValue, idempotent: patch.isIdempotent))
    }

    public func delete(_ resource: ResourceType, namespace: String?, name: String, options: DeleteOptions) async throws -> JSONValue {
        try await send(KubeRequest(verb: .delete, method: .DELETE, address: ResourceAddress(resource, namespace: namespace, name: name),
                                   body: options.body, idempotent: true))
    }

    public func updateStatus(_ resource: ResourceType, namespace: String?, object: JSONValue) async throws -> JSONValue {
        var address = try address(resource, namespace, object)
        address.subresource = "status"
        return try await send(KubeRequest(verb: .update, method: .PUT, address: address, body: object, idempotent: true))
    }

    public func patchStatus(_ resource: ResourceType, namespace: String?, name: String, patch: Patch) async throws -> JSONValue {
        try await patchStatus(resource, namespace: namespace, name: name, patch: patch, ignoring: [])
    }

    public func patchStatus(_ resource: ResourceType, namespace: String?, name: String, patch: Patch, ignoring fields: [String]) async throws -> JSONValue {
        try await send(KubeRequest(verb: .patch, method: .PATCH,
                                   address: ResourceAddress(resource, namespace: namespace, name: name, subresource: "status"),
                                   body: patch.body, contentType: patch.kind.rawValue, idempotent: patch.isIdempotent),
                       skipping: JSONSkipList(fields.map { [$0] }))
    }

    /// POSTs to a subresource, e.g. a pod's `binding` or `eviction`.
    public func createSubresource(_ resource: ResourceType, namespace: String?, name: String, subresource: String, object: JSONValue) async throws -> JSONValue {
        try await send(KubeRequest(verb: .create, method: .POST,
                                   address: ResourceAddress(resource, namespace: namespace, name: name, subresource: subresource),
                                   body: object, idempotent: false))
    }

    private func address(_ resource: ResourceType, _ namespace: String?, _ object: JSONValue) throws -> ResourceAddress {
        guard let name = object.kubeMeta.name, !name.isEmpty else {
            throw KubeError(reason: .badRequest, code: 0, message: "the object has no metadata.name", request: "update \(resource)")
        }
        return ResourceAddress(resource, namespace: namespace ?? object.kubeMeta.namespace, name: name)
    }
}

extension Patch {
    /// Merge patches set fields to given values: applying one twice gives the same object.
    /// A JSON patch may append or remove list items, so it is repeated only when it starts
    /// with a `test` operation guarding the state it expects.
    var isIdempotent: Bool {
        switch kind {
        case .merge, .strategicMerge: return true
        case .json: return body[0]?["op"]?.stringValue == "test"
        }
    }
}
