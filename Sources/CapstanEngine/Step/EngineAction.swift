import CapstanAPI

/// Something the engine decided should happen; the controller carries it out.
public enum EngineAction: Sendable, Hashable {
    case createPod(PodRequest)
    case deletePod(name: String, reason: String)
    /// Hand one item attempt of a `map.workers` node to its worker pods; report through
    /// `ActionResults.podCreates` under the attempt's name, as a pod create would.
    case dispatchItem(ItemDispatch)
    /// The status now records how a worker's item attempt ended: tell the worker it may
    /// forget it (the `deletePod` of an attempt that ran on a worker).
    case releaseItem(name: String)
    /// Set `spec.abort` on a child Workflow that is still running: its parent stopped.
    case abortChildWorkflow(name: String)
    /// Write `outputs` as JSON at `key`; report success through `ActionResults.persisted`.
    case persistOutputs(key: String, outputs: [String: JSONValue])
    /// Write a unit's resolved inputs, too large for the pod, as JSON at `key` (SPEC §3);
    /// report success through `ActionResults.persisted`.
    case writeInputs(key: String, inputs: [String: JSONValue])
    /// Write a finished node's full status as JSON at `key` before the status keeps only its
    /// row (`status.archivedNodes`); report success through `ActionResults.persisted`.
    case archiveNode(key: String, details: [String: JSONValue])
    /// Read the outputs object at `key` into `ActionResults.outputs`.
    case loadOutputs(key: String)
    /// Build a map node's output lists from its items' outputs and write them at `destination`.
    case gatherOutputs(GatherRequest)
    /// Look up a cache entry; report through `ActionResults.cacheLookups`.
    case lookupCache(cacheKey: String, entryKey: String)
    /// Copy the outputs at `from` into the cache entry `entryKey`.
    case writeCache(entryKey: String, from: String)
    case recordEvent(WorkflowEvent)
    /// Delete the Workflow itself (its `ttlAfterFinished` has passed); its pods go with it.
    case deleteWorkflow(uid: String)
    /// Add or remove one of the Workflow's finalizers.
    case addFinalizer(String)
    case removeFinalizer(String)
    /// Delete every object under `prefix` in the store; report through `ActionResults.deletedPrefixes`.
    case deleteStorePrefix(String)
}

public struct PodRequest: Sendable, Hashable {
    public var name: String
    public var node: String
    public var index: Int?
    public var attempt: Int
    /// The complete Pod object to create, or the child Workflow when `createsWorkflow`.
    public var manifest: JSONValue
    /// The attempt is a child Workflow of a sub-workflow node (SPEC §11), not a pod.
    public var createsWorkflow = false
}

public struct GatherRequest: Sendable, Hashable {
    public var node: String
    /// Items' outputs live at `itemKeyPrefix + "\(index)/outputs.json"`.
    public var itemKeyPrefix: String
    public var items: ItemPhases
    public var outputNames: [String]
    public var destination: String
}

public struct WorkflowEvent: Sendable, Hashable {
    public enum Kind: String, Sendable { case normal = "Normal", warning = "Warning" }
    public var kind: Kind
    public var reason: String
    public var message: String
    public var node: String?
    /// Set when the event reports how an attempt ended: what the controller counts in
    /// `capstan_node_attempts_total` and `capstan_retries_total`.
    public var attemptEnd: AttemptEnd?

    public init(_ kind: Kind, reason: String, message: String, node: String? = nil, attemptEnd: AttemptEnd? = nil) {
        self.kind = kind
        self.reason = reason
        self.message = message
        self.node = node
        self.attemptEnd = attemptEnd
    }
}

/// How an attempt (of a task or a map item) ended, as far as metrics are concerned.
public enum AttemptEnd: Sendable, Hashable {
    case succeeded
    /// The unit has no attempt left.
    case failed
    /// Another attempt follows; `system` when the cluster, not the task, was at fault.
    case retried(system: Bool)
}

public struct StepResult: Sendable {
    public var status: WorkflowStatus
    public var actions: [EngineAction]
    /// Look at the workflow again after this many seconds even if nothing changes.
    public var requeueAfter: Double?
}
