import CapstanAPI
/// Reads objects. Every error thrown is a `KubeError` (or `CancellationError`).
public protocol ResourceReader: Sendable {
    func get(_ resource: ResourceType, namespace: String?, name: String) async throws -> JSONValue
    /// One page of a collection; follow `continueToken` for the next, or use `listAll`.
    func list(_ resource: ResourceType, namespace: String?, options: ListOptions) async throws -> ObjectList
}

/// Streams changes to a collection.
public protocol ResourceWatcher: Sendable {
    func watch(_ resource: ResourceType, namespace: String?, options: WatchOptions) async throws -> WatchEventStream
}

/// Creates, changes and deletes objects (the main resource, not `status`).
public protocol ResourceWriter: Sendable {
    func create(_ resource: ResourceType, namespace: String?, object: JSONValue) async throws -> JSONValue
    /// PUT of the whole object, named by its `metadata.name`. With `metadata.resourceVersion`
    /// set it fails with 409 Conflict if the object changed since.
    func update(_ resource: ResourceType, namespace: String?, object: JSONValue) async throws -> JSONValue
    func patch(_ resource: ResourceType, namespace: String?, name: String, patch: Patch) async throws -> JSONValue
    /// Returns the deleted object, or its state while finalizers hold it.
    func delete(_ resource: ResourceType, namespace: String?, name: String, options: DeleteOptions) async throws -> JSONValue
    /// `create` for callers that do not read the answer: it is not decoded.
    func createIgnoringAnswer(_ resource: ResourceType, namespace: String?, object: JSONValue) async throws
    /// `delete` for callers that do not read the answer: it is not decoded.
    func deleteIgnoringAnswer(_ resource: ResourceType, namespace: String?, name: String, options: DeleteOptions) async throws
}

/// Writes the `status` subresource, which the main resource's writes ignore.
public protocol StatusWriter: Sendable {
    func updateStatus(_ resource: ResourceType, namespace: String?, object: JSONValue) async throws -> JSONValue
    func patchStatus(_ resource: ResourceType, namespace: String?, name: String, patch: Patch) async throws -> JSONValue
    /// `patchStatus` for callers that already hold some top-level fields of the answer (the
    /// `spec`, which a status write cannot change): they are not decoded, and are absent.
    func patchStatus(_ resource: ResourceType, namespace: String?, name: String, patch: Patch, ignoring fields: [String]) async throws -> JSONValue
}

extension StatusWriter {
    public func patchStatus(_ resource: ResourceType, namespace: String?, name: String, patch: Patch, ignoring fields: [String]) async throws -> JSONValue {
        var answer = try await patchStatus(resource, namespace: namespace, name: name, patch: patch)
        for field in fields { answer[field] = nil }
        return answer
    }
}

/// Everything the controller needs from the API server; `KubeClient` is the real one.
public typealias KubeAPI = ResourceReader & ResourceWatcher & ResourceWriter & StatusWriter

extension ResourceReader {
    public func list(_ resource: ResourceType, namespace: String?) async throws -> ObjectList {
        try await list(resource, namespace: namespace, options: ListOptions())
    }

    /// Every item of a collection, fetched in pages of `pageSize`. The returned
    /// resourceVersion is the first page's, the point to start a watch from.
    public func listAll(_ resource: ResourceType, namespace: String?, options: ListOptions = ListOptions(), pageSize: Int = 500) async throws -> ObjectList {
        var options = options
        options.limit = pageSize
        options.continueToken = nil
        var first = try await list(resource, namespace: namespace, options: options)
        var token = first.continueToken
        while let next = token {
            options.continueToken = next
            // Later pages are served from the first page's snapshot; a resourceVersion must not be sent with a token.
            options.resourceVersion = nil
            let page = try await list(resource, namespace: namespace, options: options)
            first.items.append(contentsOf: page.items)
            token = page.continueToken
        }
        first.continueToken = nil
        return first
    }

    /// The object, or nil when it does not exist.
    public func getIfPresent(_ resource: ResourceType, namespace: String?, name: String) async throws -> JSONValue? {
        do {
            return try await get(resource, namespace: namespace, name: name)
        } catch let error as KubeError where error.isNotFound {
            return nil
        }
    }
}

extension ResourceWriter {
    public func createIgnoringAnswer(_ resource: ResourceType, namespace: String?, object: JSONValue) async throws {
        _ = try await create(resource, namespace: namespace, object: object)
    }

    public func deleteIgnoringAnswer(_ resource: ResourceType, namespace: String?, name: String, options: DeleteOptions) async throws {
        _ = try await delete(resource, namespace: namespace, name: name, options: options)
    }

    public func delete(_ resource: ResourceType, namespace: String?, name: String) async throws -> JSONValue {
        try await delete(resource, namespace: namespace, name: name, options: DeleteOptions())
    }
}
