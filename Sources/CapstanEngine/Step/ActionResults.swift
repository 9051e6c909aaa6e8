import CapstanAPI

/// What the controller learned carrying out the engine's actions in this reconcile: store
/// reads and writes, cache lookups, pod creates. Keys of store entries are relative to the
/// store's prefix (see `StorageLayout`). Anything missing here that the engine needs, it
/// asks for with an action and steps again once the answer is in.
public struct ActionResults: Sendable {
    /// Outputs objects read from the store, by key.
    public var outputs: [String: [String: JSONValue]] = [:]
    /// Keys read from the store that hold nothing.
    public var absent: Set<String> = []
    /// Keys written since the status was last saved.
    public var persisted: Set<String> = []
    /// Cache entries looked up, by cache key: the outputs on a hit, nil on a miss.
    public var cacheLookups: [String: [String: JSONValue]?] = [:]
    /// Store prefixes whose objects were all deleted.
    public var deletedPrefixes: Set<String> = []
    /// What the API server answered to each pod create, by pod name.
    public var podCreates: [String: PodCreateOutcome] = [:]
    /// From `spec.recoverFrom`: the earlier workflow's succeeded nodes, by name.
    public var recoverable: [String: RecoverableNode] = [:]
    /// The earlier workflow named by `spec.recoverFrom` could not be found.
    public var recoverFromMissing = false
    /// What the dispatcher knows of each `map.workers` node's workers, by node name.
    public var workerPools: [String: WorkerPoolView] = [:]
    /// When the dispatcher began taking polls: the view of a node no worker has polled yet.
    public var dispatcherStartedAt: Timestamp?
    /// The controller's client-side limit on API requests, when it has one.
    public var apiRateLimit: APIRateLimit?

    public init() {}
}

public struct RecoverableNode: Sendable, Hashable {
    /// The key the node ran with; nil until read from `detailsKey` for an archived node.
    public var key: String?
    public var outputsKey: String?
    /// For a map node, its items as they ended there.
    public var map: MapStatus?
    /// Where an archived node's full status lies in the store, with its key.
    public var detailsKey: String?

    public init(key: String?, outputsKey: String?, map: MapStatus? = nil, detailsKey: String? = nil) {
        self.key = key
        self.outputsKey = outputsKey
        self.map = map
        self.detailsKey = detailsKey
    }

    /// What `spec.recoverFrom` may reuse of an earlier workflow: its nodes that succeeded
    /// and recorded the key they ran with (archived ones recorded it in the store), with
    /// where their outputs are.
    public static func all(in earlier: ObjectMeta, status: WorkflowStatus, storeURL: String) -> [String: RecoverableNode] {
        let layout = StorageLayout(namespace: earlier.namespace, workflow: earlier.name, uid: earlier.uid, storeURL: storeURL)
        var nodes: [String: RecoverableNode] = [:]
        for (name, node) in status.nodes where node.phase == .succeeded {
            let outputsKey = node.outputsURI == nil ? nil : layout.outputsKey(name)
            if let key = node.key {
                nodes[name] = RecoverableNode(key: key, outputsKey: outputsKey, map: node.map)
            } else if node.archivePosition != nil {
                nodes[name] = RecoverableNode(key: nil, outputsKey: outputsKey, detailsKey: layout.nodeDetailsKey(name))
            }
        }
        return nodes
    }
}
