public enum WorkflowPhase: String, Sendable, Hashable, CaseIterable {
    case pending = "Pending"
    case running = "Running"
    case succeeded = "Succeeded"
    case failed = "Failed"
    case aborted = "Aborted"

    public var isTerminal: Bool {
        switch self {
        case .succeeded, .failed, .aborted: return true
        case .pending, .running: return false
        }
    }
}

public enum NodePhase: String, Sendable, Hashable, CaseIterable {
    case pending = "Pending"
    case running = "Running"
    case succeeded = "Succeeded"
    case failed = "Failed"
    case skipped = "Skipped"
    case aborted = "Aborted"

    public var isTerminal: Bool {
        switch self {
        case .succeeded, .failed, .skipped, .aborted: return true
        case .pending, .running: return false
        }
    }
}

/// Why one attempt failed (SPEC §3). System reasons are the cluster's fault, not the task's,
/// and retry without using the node's `retries`.
public enum FailureReason: String, Sendable, Hashable, CaseIterable {
    case error = "Error"
    case oomKilled = "OOMKilled"
    case deadlineExceeded = "DeadlineExceeded"
    case outputsMissing = "OutputsMissing"
    case imagePullBackOff = "ImagePullBackOff"
    /// The container could not be configured (a missing Secret, ConfigMap or key).
    case configError = "ConfigError"
    /// The API server refused the pod (invalid, or denied by admission): never retried.
    case podRejected = "PodRejected"
    /// An approval node was rejected through `spec.approvals` (SPEC §12).
    case rejected = "Rejected"
    /// A sub-workflow node would nest child Workflows deeper than `ChildWorkflows.maximumDepth`.
    case tooDeep = "TooDeep"
    /// A dynamic node's task built a Workflow spec that does not validate (SPEC §12).
    case invalidDynamicSpec = "InvalidDynamicSpec"
    case unschedulable = "Unschedulable"
    case evicted = "Evicted"
    case preempted = "Preempted"
    case nodeLost = "NodeLost"
    case podDeleted = "PodDeleted"
    /// The worker pod running a `map.workers` item stopped before the item ended (SPEC §15).
    case workerLost = "WorkerLost"

    public var isSystem: Bool {
        switch self {
        case .evicted, .preempted, .nodeLost, .podDeleted, .unschedulable, .workerLost: return true
        default: return false
        }
    }
}
