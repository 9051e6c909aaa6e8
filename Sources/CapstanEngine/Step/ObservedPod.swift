import CapstanAPI

/// What the engine needs to know about one of its pods: a summary, not the pod's JSON, so
/// that tens of thousands of them fit in little memory. The fields a pod that is simply
/// pending or running does not have (how it ended, why it waits) live out of line, so such
/// a pod costs its name and a few words.
public struct ObservedPod: Sendable, Hashable {
    public enum Phase: String, Sendable, Hashable {
        case pending = "Pending", running = "Running", succeeded = "Succeeded", failed = "Failed", unknown = "Unknown"
    }

    // Declared in this order so that the one-byte fields share the end: 8 bytes less per pod
    // than in reading order, for tens of thousands of pods.
    public var name: String
    public var node: String
    public var attempt: Int
    private var details: DetailsBox?
    public var createdAt: Timestamp?
    public var index: Int?
    public var phase: Phase
    /// The pod is being deleted (it has a deletionTimestamp).
    public var isDeleting: Bool = false
    /// This attempt is a child Workflow (SPEC §11), summarised like a pod: its phase, its
    /// `status.outputs` as `terminationMessage`, its `status.reason` and `status.message`.
    public var isChildWorkflow: Bool = false
    /// This is not a pod but an item attempt of a `map.workers` node as its worker reported it
    /// (SPEC §15): pending while queued, then running, then how the item's process ended.
    public var isWorkerItem: Bool = false

    public init(name: String, node: String, index: Int? = nil, attempt: Int, phase: Phase) {
        self.name = name
        self.node = node
        self.index = index
        self.attempt = attempt
        self.phase = phase
    }

    public var startedAt: Timestamp? {
        get { details?.value.startedAt }
        set { update { $0.startedAt = newValue } }
    }
    public var finishedAt: Timestamp? {
        get { details?.value.finishedAt }
        set { update { $0.finishedAt = newValue } }
    }
    /// `status.reason` of the pod: `Evicted`, `DeadlineExceeded`, `NodeLost`, `Preempting`...
    public var podReason: String? {
        get { details?.value.podReason }
        set { update { $0.podReason = newValue } }
    }
    /// Reason of a `DisruptionTarget` condition: `PreemptionByScheduler`, `DeletionByTaintManager`...
    public var disruptionReason: String? {
        get { details?.value.disruptionReason }
        set { update { $0.disruptionReason = newValue } }
    }
    /// The main container's terminated state.
    public var exitCode: Int? {
        get { details?.value.exitCode }
        set { update { $0.exitCode = newValue } }
    }
    public var terminatedReason: String? {
        get { details?.value.terminatedReason }
        set { update { $0.terminatedReason = newValue } }
    }
    /// The main container's waiting reason (`ImagePullBackOff`, `ErrImagePull`...).
    public var waitingReason: String? {
        get { details?.value.waitingReason }
        set { update { $0.waitingReason = newValue } }
    }
    /// Since when the scheduler has reported the pod unschedulable.
    public var unschedulableSince: Timestamp? {
        get { details?.value.unschedulableSince }
        set { update { $0.unschedulableSince = newValue } }
    }
    /// The latest cluster-autoscaler or Karpenter Event saying a node is on its way for this
    /// pod (`TriggeredScaleUp`, `Nominated`).
    public var scaleUpAt: Timestamp? {
        get { details?.value.scaleUpAt }
        set { update { $0.scaleUpAt = newValue } }
    }
    /// The kubelet's latest `FailedMount` Event while the pod waits in `ContainerCreating`.
    public var mountFailure: MountFailure? {
        get { details?.value.mountFailure }
        set { update { $0.mountFailure = newValue } }
    }
    public var message: String? {
        get { details?.value.message }
        set { update { $0.message = newValue } }
    }
    /// The main container's termination message: the task's outputs JSON, when it wrote them there.
    public var terminationMessage: String? {
        get { details?.value.terminationMessage }
        set { update { $0.terminationMessage = newValue } }
    }
    /// Outputs the task uploaded to `CAPSTAN_OUTPUTS_URI`, read by the controller when the
    /// termination message holds none.
    public var uploadedOutputs: JSONValue? {
        get { details?.value.uploadedOutputs }
        set { update { $0.uploadedOutputs = newValue } }
    }

    /// The main container has terminated. Normally with the pod; alone when a sidecar keeps
    /// the pod running.
    public var mainHasExited: Bool { exitCode != nil }

    /// Writes through a fresh box: boxes are immutable, so copies of a pod never share a change.
    private mutating func update(_ change: (inout Details) -> Void) {
        var value = details?.value ?? Details()
        change(&value)
        details = value == Details() ? nil : DetailsBox(value)
    }

    private struct Details: Sendable, Hashable {
        var startedAt: Timestamp?
        var finishedAt: Timestamp?
        var podReason: String?
        var disruptionReason: String?
        var exitCode: Int?
        var terminatedReason: String?
        var waitingReason: String?
        var unschedulableSince: Timestamp?
        var scaleUpAt: Timestamp?
        var mountFailure: MountFailure?
        var message: String?
        var terminationMessage: String?
        var uploadedOutputs: JSONValue?
    }

    private final class DetailsBox: Sendable, Hashable {
        let value: Details
        init(_ value: Details) { self.value = value }
        static func == (a: DetailsBox, b: DetailsBox) -> Bool { a === b || a.value == b.value }
        func hash(into hasher: inout Hasher) { hasher.combine(value) }
    }
}

/// A volume the kubelet could not mount (`FailedMount`): a Secret or ConfigMap missing.
public struct MountFailure: Sendable, Hashable {
    public var at: Timestamp
    public var message: String
    public init(at: Timestamp, message: String) {
        self.at = at
        self.message = message
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
    public init(reason: FailureReason, exitCode: Int? = nil, message: String? = nil) {
        self.reason = reason
        self.exitCode = exitCode
        self.message = message
    }
}
