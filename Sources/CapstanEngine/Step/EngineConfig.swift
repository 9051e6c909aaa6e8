import CapstanAPI

/// The controller's settings that shape the engine's decisions.
public struct EngineConfig: Sendable {
    /// Failed attempts for system reasons a node may have before it fails.
    public var systemRetries = 3
    public var classifier = AttemptClassifier()
    /// The store's URL (`s3://bucket/prefix`, `file:///path`); pods get URIs under it.
    public var storeURL = "file:///tmp/capstan-store"
    /// Settings that put an `interruptible` attempt on spot/preemptible nodes.
    public var spotNodeSelector: [String: String] = [:]
    public var spotTolerations: [JSONValue] = []
    /// How long a finished Workflow is kept when its spec sets no `ttlAfterFinished`
    /// (`--default-ttl`); nil keeps it until someone deletes it.
    public var defaultTTL: Double?
    /// `--log-link`: links to each attempt's logs, written into the status.
    public var logLinks: [LogLinkTemplate] = []
    /// Most pods created in one step, so one huge map cannot starve the API server.
    public var maxPodCreatesPerStep = 500
    /// Past this many nodes, nodes that finished well move to `status.archivedNodes` (their
    /// details to the store): at ~190 bytes a detailed node, 200 of them stay far below the
    /// status budget while a small workflow's status keeps its full shape.
    public var detailedNodeLimit = 200
    /// Where `map.workers` worker pods reach the controller's dispatch endpoint (`--dispatch-url`).
    public var dispatchURL = "http://capstan-dispatch.capstan-system.svc:8082"
    /// The image whose `capstan` binary a worker pod's init container installs (`--worker-image`).
    public var workerImage = "capstan:latest"
    /// The key a worker pod's token is signed with (`--worker-key-file`): the controller
    /// takes polls only from pods whose token it signed.
    public var workerKey: [UInt8] = Array("capstan-worker".utf8)

    public init() {}
}

/// Where things live in the store (SPEC §4). Keys are relative to the store's prefix.
public struct StorageLayout: Sendable {
    public var namespace: String
    public var workflow: String
    public var uid: String
    public var storeURL: String

    public init(namespace: String, workflow: String, uid: String, storeURL: String) {
        self.namespace = namespace
        self.workflow = workflow
        self.uid = uid
        self.storeURL = storeURL
    }

    public var workflowPrefix: String { "\(namespace)/\(workflow)/\(uid)/" }
    public func nodePrefix(_ node: String) -> String { workflowPrefix + "\(node)/" }

    public func unitPrefix(_ node: String, index: Int?) -> String {
        nodePrefix(node) + (index.map { "\($0)/" } ?? "")
    }

    public func outputsKey(_ node: String, index: Int? = nil) -> String { unitPrefix(node, index: index) + "outputs.json" }
    public func inputsKey(_ node: String, index: Int? = nil) -> String { unitPrefix(node, index: index) + "inputs.json" }
    /// An archived node's full status (`status.archivedNodes`).
    public func nodeDetailsKey(_ node: String) -> String { nodePrefix(node) + ArchivedNodes.detailsFile }
    public func checkpointKey(_ node: String, index: Int?, attempt: Int) -> String {
        unitPrefix(node, index: index) + "checkpoint/\(attempt)/"
    }
    public func rawDataKey(_ node: String, index: Int?, attempt: Int) -> String {
        unitPrefix(node, index: index) + "data/\(attempt)/"
    }
    public func cacheEntryKey(_ cacheKey: String) -> String { "\(namespace)/.cache/\(cacheKey).json" }

    public func uri(_ key: String) -> String {
        storeURL.hasSuffix("/") ? storeURL + key : storeURL + "/" + key
    }
}
