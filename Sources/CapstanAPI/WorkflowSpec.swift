import Foundation

/// `Workflow.spec`: what the user asked for, decoded strictly (unknown fields are errors).
public struct WorkflowSpec: Sendable, Hashable {
    public var inputs: [String: JSONValue] = [:]
    public var defaults = NodeSettings()
    public var parallelism: Int?
    public var failurePolicy: FailurePolicy = .failFast
    public var activeDeadline: SpecDuration?
    /// Delete the Workflow this long after it finished (SPEC §13); the controller's
    /// `--default-ttl` when unset.
    public var ttlAfterFinished: SpecDuration?
    /// Whether deleting the Workflow also deletes what it stored (SPEC §13).
    public var storeGC: StoreGCPolicy = .never
    public var podGC: PodGCPolicy = .onSuccess
    /// Expressions resolved when the workflow succeeds.
    public var outputs: [String: JSONValue] = [:]
    public var recoverFrom: String?
    public var abort = false
    /// The WorkflowTemplate this Workflow runs (SPEC §11); the fields beside it override the template's.
    public var templateRef: String?
    /// Decisions on approval nodes (SPEC §12), by node name; `capstan approve` and
    /// `capstan reject` set them with a merge patch.
    public var approvals: [String: ApprovalDecision] = [:]
    public var nodes: [NodeSpec] = []
    /// Exit nodes (SPEC §11): run once the main nodes have all ended, whatever their result.
    public var onExit: [NodeSpec] = []

    public init(nodes: [NodeSpec] = []) { self.nodes = nodes }
}

public enum FailurePolicy: String, Sendable, Hashable, CaseIterable {
    case failFast = "FailFast"
    case `continue` = "Continue"
}

/// `OnWorkflowDeletion`: a finalizer keeps the Workflow until its outputs and checkpoints
/// are deleted from the store; cache entries, shared by workflows, stay.
public enum StoreGCPolicy: String, Sendable, Hashable, CaseIterable {
    case never = "Never"
    case onWorkflowDeletion = "OnWorkflowDeletion"

    public static let finalizer = "capstan.dev/store-gc"
}

public enum PodGCPolicy: String, Sendable, Hashable, CaseIterable {
    case onSuccess = "OnSuccess"
    case onCompletion = "OnCompletion"
    case never = "Never"
}

/// One node of the DAG: a task, a map of tasks when `map` is set, or a node that runs no
/// pod: a `sleep` or an `approval`.
public struct NodeSpec: Sendable, Hashable {
    public var name: String
    public var dependsOn: [String] = []
    public var when: String?
    public var map: MapSpec?
    /// Succeed once this long has passed since the node started (SPEC §12).
    public var sleep: SpecDuration?
    /// Wait for `spec.approvals.NAME` (SPEC §12).
    public var approval: ApprovalSpec?
    /// Run this WorkflowTemplate as a child Workflow instead of a pod (SPEC §11).
    public var workflowTemplate: String?
    /// The task's `workflow` output is a Workflow spec, run as a child Workflow (SPEC §12).
    public var dynamic = false
    /// Everything a node may also inherit from `spec.defaults`.
    public var settings = NodeSettings()

    public init(name: String, settings: NodeSettings = NodeSettings()) {
        self.name = name
        self.settings = settings
    }
}

/// The node fields that `spec.defaults` can set; every field optional so that a node's own
/// value can be told apart from "inherit".
public struct NodeSettings: Sendable, Hashable {
    public var image: String?
    public var command: [String]?
    public var args: [String]?
    public var env: [EnvVar]?
    /// Secret keys handed to the task as environment variables or files (SPEC §13).
    public var secrets: [SecretReference]?
    public var workingDir: String?
    public var inputs: [String: JSONValue]?
    public var outputs: [String]?
    public var resources: ResourceRequirements?
    public var retries: Int?
    public var retryBackoff: RetryBackoff?
    public var timeout: SpecDuration?
    public var cache: CacheSpec?
    public var checkpoint: Bool?
    public var interruptible: Bool?
    public var podTemplate: PodTemplate?
    public var podMetadata: PodMetadata?

    public init() {}

    /// This node's settings with anything it leaves unset taken from `defaults`.
    public func inheriting(from defaults: NodeSettings) -> NodeSettings {
        var merged = self
        merged.image = image ?? defaults.image
        merged.command = command ?? defaults.command
        merged.args = args ?? defaults.args
        merged.env = env ?? defaults.env
        merged.secrets = secrets ?? defaults.secrets
        merged.workingDir = workingDir ?? defaults.workingDir
        merged.inputs = inputs ?? defaults.inputs
        merged.outputs = outputs ?? defaults.outputs
        merged.resources = resources ?? defaults.resources
        merged.retries = retries ?? defaults.retries
        merged.retryBackoff = retryBackoff ?? defaults.retryBackoff
        merged.timeout = timeout ?? defaults.timeout
        merged.cache = cache ?? defaults.cache
        merged.checkpoint = checkpoint ?? defaults.checkpoint
        merged.interruptible = interruptible ?? defaults.interruptible
        merged.podTemplate = podTemplate ?? defaults.podTemplate
        merged.podMetadata = podMetadata ?? defaults.podMetadata
        return merged
    }

    /// The fields this value sets, by their spec names: what a node that runs no pod must
    /// not carry.
    public var fieldsSet: [String] {
        let fields: [(String, Bool)] = [
            ("image", image != nil), ("command", command != nil), ("args", args != nil), ("env", env != nil),
            ("workingDir", workingDir != nil), ("inputs", inputs != nil), ("outputs", outputs != nil),
            ("resources", resources != nil), ("retries", retries != nil), ("retryBackoff", retryBackoff != nil),
            ("timeout", timeout != nil), ("cache", cache != nil), ("checkpoint", checkpoint != nil),
            ("interruptible", interruptible != nil), ("podTemplate", podTemplate != nil), ("podMetadata", podMetadata != nil),
            ("secrets", secrets != nil),
        ]
        return fields.filter(\.1).map(\.0)
    }
}

public struct MapSpec: Sendable, Hashable {
    /// A template string (`"{{ inputs.rates }}"`) or a literal list.
    public var over: JSONValue
    public var concurrency: Int?
    public var minSuccessRatio: Double = 1.0
    /// Run the items in this many long-lived worker pods instead of one pod per item (SPEC §15).
    public var workers: MapWorkers?

    public init(over: JSONValue, concurrency: Int? = nil, minSuccessRatio: Double = 1.0, workers: MapWorkers? = nil) {
        self.over = over
        self.concurrency = concurrency
        self.minSuccessRatio = minSuccessRatio
        self.workers = workers
    }
}

/// `map.workers`: how many worker pods take the map's items, and how long one may sit idle
/// before it is deleted.
public struct MapWorkers: Sendable, Hashable {
    public static let defaultIdleTimeout = SpecDuration(seconds: 60)

    public var replicas: Int
    public var idleTimeout: SpecDuration

    public init(replicas: Int, idleTimeout: SpecDuration = MapWorkers.defaultIdleTimeout) {
        self.replicas = replicas
        self.idleTimeout = idleTimeout
    }
}

public struct EnvVar: Sendable, Hashable {
    public var name: String
    public var value: String?
    /// Kubernetes `valueFrom` (secret and config map references), passed through unchanged.
    public var valueFrom: JSONValue?

    public init(name: String, value: String? = nil, valueFrom: JSONValue? = nil) {
        self.name = name
        self.value = value
        self.valueFrom = valueFrom
    }
}

public struct ResourceRequirements: Sendable, Hashable {
    public var requests: [String: Quantity] = [:]
    public var limits: [String: Quantity] = [:]

    public init(requests: [String: Quantity] = [:], limits: [String: Quantity] = [:]) {
        self.requests = requests
        self.limits = limits
    }

    /// Accelerators whose nodes carry a `NoSchedule` taint of the same key (GPU nodes, and
    /// EKS's Trainium and Inferentia nodes): a pod asking for one gets the toleration.
    public static let gpuResourceNames = ["nvidia.com/gpu", "amd.com/gpu", "aws.amazon.com/neuron"]

    /// An extended resource, which Kubernetes cannot overcommit: any `domain/name` outside
    /// the `kubernetes.io` domain, and huge pages.
    public static func isExtended(_ name: String) -> Bool {
        if name.hasPrefix("hugepages-") { return true }
        guard let slash = name.firstIndex(of: "/") else { return false }
        let domain = name[..<slash]
        return domain != "kubernetes.io" && !domain.hasSuffix(".kubernetes.io") && domain != "requests"
    }

    /// The accelerator resource names this node asks for, in requests or limits.
    public var gpuResources: [String] {
        ResourceRequirements.gpuResourceNames.filter { requests[$0] != nil || limits[$0] != nil }
    }
}

public struct RetryBackoff: Sendable, Hashable {
    public var initial = try! SpecDuration("10s")
    public var factor = 2.0
    public var max = try! SpecDuration("5m")

    public init() {}

    /// Seconds to wait before attempt `attempt` (1-based count of failures so far).
    public func delay(afterFailures failures: Int) -> Double {
        guard failures > 0 else { return 0 }
        let raw = initial.seconds * pow(factor, Double(Swift.min(failures - 1, 64)))
        return Swift.min(raw, max.seconds)
    }
}

public struct CacheSpec: Sendable, Hashable {
    public var version: String
    public init(version: String) { self.version = version }
}

/// The part of a PodSpec a node may set. Nested Kubernetes structures are kept as JSON and
/// passed through to the pod as they are.
public struct PodTemplate: Sendable, Hashable {
    public var nodeSelector: [String: String]?
    public var tolerations: [JSONValue]?
    public var affinity: JSONValue?
    public var serviceAccountName: String?
    public var priorityClassName: String?
    public var imagePullSecrets: [String]?
    public var securityContext: JSONValue?
    public var volumes: [JSONValue]?
    public var volumeMounts: [JSONValue]?

    public init() {}
}

public struct PodMetadata: Sendable, Hashable {
    public var labels: [String: String] = [:]
    public var annotations: [String: String] = [:]
    public init(labels: [String: String] = [:], annotations: [String: String] = [:]) {
        self.labels = labels
        self.annotations = annotations
    }
}
