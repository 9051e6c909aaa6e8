import CapstanAPI

/// What the engine needs to know about one of its pods: a summary, not the pod's JSON, so
/// that tens of thousands of them fit in little memory.
public struct ObservedPod: Sendable, Hashable {
    public enum Phase: String, Sendable, Hashable {
        case pending = "Pending", running = "Running", succeeded = "Succeeded", failed = "Failed", unknown = "Unknown"
    }

    public var name: String
    public var node: String
    public var index: Int?
    public var attempt: Int
    public var phase: Phase
    public var createdAt: Timestamp?
    public var startedAt: Timestamp?
    public var finishedAt: Timestamp?
    /// The pod is being deleted (it has a deletionTimestamp).
    public var isDeleting: Bool = false
    /// `status.reason` of the pod: `Evicted`, `DeadlineExceeded`, `NodeLost`, `Preempting`...
    public var podReason: String?
    /// Reason of a `DisruptionTarget` condition: `PreemptionByScheduler`, `DeletionByTaintManager`...
    public var disruptionReason: String?
    /// The main container's terminated state.
    public var exitCode: Int?
    public var terminatedReason: String?
    /// The main container's waiting reason (`ImagePullBackOff`, `ErrImagePull`...).
    public var waitingReason: String?
    /// Since when the scheduler has reported the pod unschedulable.
    public var unschedulableSince: Timestamp?
    public var message: String?
    /// The main container's termination message: the task's outputs JSON, when it wrote them there.
    public var terminationMessage: String?
    /// Outputs the task uploaded to `CAPSTAN_OUTPUTS_URI`, read by the controller when the
    /// termination message holds none.
    public var uploadedOutputs: JSONValue?

    public init(name: String, node: String, index: Int? = nil, attempt: Int, phase: Phase) {
        self.name = name
        self.node = node
        self.index = index
        self.attempt = attempt
        self.phase = phase
    }
}

/// How one attempt ended, or that it has not.
public enum AttemptOutcome: Sendable, Hashable {
    case running
    case succeeded(outputs: [String: JSONValue])
    case failed(AttemptFailureInfo)
}

public struct AttemptFailureInfo: Sendable, Hashable {
    public var reason: FailureReason
    public var exitCode: Int?
    public var message: String?
    /// The pod is still there and must be deleted (stuck unschedulable or pulling an image).
    public var podNeedsDeleting: Bool = false

    public init(reason: FailureReason, exitCode: Int? = nil, message: String? = nil, podNeedsDeleting: Bool = false) {
        self.reason = reason
        self.exitCode = exitCode
        self.message = message
        self.podNeedsDeleting = podNeedsDeleting
    }
}
