import CapstanEngine

/// How `capstan run` was asked to behave.
public struct ControllerConfig: Sendable {
    /// Namespace to watch; nil watches all.
    public var namespace: String?
    public var workers = 4
    public var engine = EngineConfig()
    /// Most pod creations and deletions in flight at once for one workflow.
    public var podRequestConcurrency = 32
    /// How long a pod the controller created counts as existing before the cache shows it.
    public var createdPodGrace: Double = 120
    /// `--shards`: more than 0 labels each pod with its Workflow's shard
    /// (`ShardFilter.podLabel`), so each replica watches only its own shard's pods.
    public var shards = 0

    public init() {}
}
