/// `Workflow.status`: what Capstan has observed and decided. Written only by the controller.
public struct WorkflowStatus: Sendable, Hashable {
    public var phase: WorkflowPhase = .pending
    public var observedGeneration: Int = 0
    public var startedAt: Timestamp?
    public var finishedAt: Timestamp?
    /// `finished nodes / nodes`.
    public var progress: String = ""
    public var message: String?
    /// Why the workflow stopped, in one word: `NodeFailed`, `DeadlineExceeded`, `Aborted`, `InvalidSpec`.
    public var reason: String?
    public var conditions: [StatusCondition] = []
    public var nodes: [String: NodeStatus] = [:]
    public var outputs: [String: JSONValue]?
    /// The spec of the WorkflowTemplate named by `spec.templateRef`, as read when the Workflow
    /// started: a template edited or deleted later changes no Workflow already running.
    public var templateSpec: JSONValue?
    /// How the main nodes ended, once they have; the workflow stays `Running` while its exit
    /// nodes (`spec.onExit`) run, and this is the phase it then takes.
    public var dagResult: DAGResult?
    /// Where archived nodes keep their details (`status.archivedNodes`); set once a large
    /// workflow archives its first node.
    public var archive: ArchivedNodes?

    public init() {}

    public func condition(_ type: String) -> StatusCondition? { conditions.first { $0.type == type } }
}

/// A kstatus-compatible condition (`Ready`, `Reconciling`, `Stalled`).
public struct StatusCondition: Sendable, Hashable {
    public var type: String
    public var status: Bool
    public var reason: String
    public var message: String
    public var lastTransitionTime: Timestamp
    public var observedGeneration: Int

    public init(type: String, status: Bool, reason: String, message: String, lastTransitionTime: Timestamp, observedGeneration: Int) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastTransitionTime = lastTransitionTime
        self.observedGeneration = observedGeneration
    }
}

public struct NodeStatus: Sendable, Hashable {
    public var phase: NodePhase = .pending
    /// Attempts started so far (user and system retries together).
    public var attempts: Int = 0
    /// Failed attempts charged to the node's own `retries`.
    public var userFailures: Int = 0
    /// Failed attempts counted against the controller's `--system-retries`.
    public var systemFailures: Int = 0
    public var startedAt: Timestamp?
    public var finishedAt: Timestamp?
    /// Not before this time does the next attempt start (retry backoff).
    public var retryAt: Timestamp?
    /// Pod creates refused in a row for a passing reason (quota, a busy API server); none is an attempt.
    public var createRefusals: Int = 0
    /// Not before this time does the node try to create a pod again after such a refusal.
    public var createRetryAt: Timestamp?
    public var outputsURI: String?
    public var cached: Bool = false
    /// Outputs came from the workflow named in `spec.recoverFrom`.
    public var recovered: Bool = false
    /// SHA-256 of the node's resolved spec and inputs: the cache key, and what `recoverFrom` compares.
    public var key: String?
    public var message: String?
    /// Links to the latest attempt's logs, by name (`--log-link`).
    public var logLinks: [String: String] = [:]
    /// The most recent failures, newest last (bounded; see `NodeStatus.failureHistoryLimit`).
    public var failures: [AttemptFailure] = []
    public var map: MapStatus?
    /// Set once the node's details are in the store and the status keeps only its row in
    /// `status.archivedNodes`: its place among the archived nodes.
    public var archivePosition: Int?

    public static let failureHistoryLimit = 20

    public init(phase: NodePhase = .pending) { self.phase = phase }

    public mutating func recordFailure(_ failure: AttemptFailure) {
        failures.append(failure)
        if failures.count > NodeStatus.failureHistoryLimit {
            failures.removeFirst(failures.count - NodeStatus.failureHistoryLimit)
        }
    }
}

public struct AttemptFailure: Sendable, Hashable {
    public var attempt: Int
    /// The map item, for map nodes.
    public var index: Int?
    public var reason: FailureReason
    public var exitCode: Int?
    public var message: String?
    public var finishedAt: Timestamp
    /// Links to this attempt's logs, by name (`--log-link`).
    public var logLinks: [String: String] = [:]

    public init(attempt: Int, index: Int? = nil, reason: FailureReason, exitCode: Int? = nil, message: String? = nil, finishedAt: Timestamp) {
        self.attempt = attempt
        self.index = index
        self.reason = reason
        self.exitCode = exitCode
        self.message = message
        self.finishedAt = finishedAt
    }
}
