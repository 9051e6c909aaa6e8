/// The dispatch protocol between a map node's worker pods (`capstan worker`) and the
/// controller (SPEC §15, docs/workers.md). Here, with the API types, because the engine
/// builds the worker pod (its variables, its token) and the item it hands out, and the
/// worker and the controller speak it. The worker asks; the controller answers. One
/// request shape, `POST /v1/workers/poll`, carries everything a worker knows (what it runs,
/// what it finished and has not yet seen acknowledged) and returns everything it must do.
///
/// Why the worker asks rather than the controller calls: the controller's address is the one
/// every worker can reach (its Service on a cluster, loopback in `capstan sim` and `capstan
/// dev`), and a restarted controller learns the whole state of a map from the workers' next
/// polls, without an API write per item.

/// `Authorization: Bearer` on every poll: `CAPSTAN_WORKER_TOKEN` from the worker pod's env,
/// an HMAC the controller computed over the claims below, so only a pod it created can take
/// that map's items.
public struct WorkerClaims: Codable, Sendable, Hashable {
    public var namespace: String
    public var workflow: String
    public var workflowUID: String
    public var node: String
    /// The worker pod's name.
    public var pod: String

    public init(namespace: String, workflow: String, workflowUID: String, node: String, pod: String) {
        self.namespace = namespace
        self.workflow = workflow
        self.workflowUID = workflowUID
        self.node = node
        self.pod = pod
    }

    /// What the token signs: every claim, in a fixed order.
    public var signedText: String { [namespace, workflow, workflowUID, node, pod].joined(separator: "\n") }
}

/// The body of `POST /v1/workers/poll`.
public struct WorkerPoll: Codable, Sendable, Hashable {
    public var claims: WorkerClaims
    /// The item attempt the worker is running now (its name, as `ItemToRun.name`).
    public var running: String?
    /// Items that ended and that the controller has not yet acknowledged, oldest first. The
    /// worker keeps sending each until an answer lists it in `acknowledged`.
    public var finished: [ItemResult]
    /// The worker can take an item now: it runs nothing. The controller may then hold the
    /// request up to `WorkerProtocol.longPoll` waiting for one.
    public var ready: Bool

    public init(claims: WorkerClaims, running: String? = nil, finished: [ItemResult] = [], ready: Bool) {
        self.claims = claims
        self.running = running
        self.finished = finished
        self.ready = ready
    }
}

/// How one item attempt ended on a worker.
public struct ItemResult: Codable, Sendable, Hashable {
    public var name: String
    /// The process's exit code, 128 + signal when a signal ended it.
    public var exitCode: Int
    /// What the task wrote to `CAPSTAN_OUTPUTS_FILE`, at most 4096 bytes (the kubelet's
    /// termination-message limit); nil when it wrote nothing.
    public var outputs: String?
    /// RFC 3339 times.
    public var startedAt: String
    public var finishedAt: String
    /// The worker ended the item because it ran past `timeoutSeconds`.
    public var timedOut: Bool
    /// Why the item could not start (`exec: "foo": executable file not found in $PATH`),
    /// or the end of its output when it failed.
    public var message: String?

    public init(name: String, exitCode: Int, outputs: String? = nil, startedAt: String, finishedAt: String,
                timedOut: Bool = false, message: String? = nil) {
        self.name = name
        self.exitCode = exitCode
        self.outputs = outputs
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.timedOut = timedOut
        self.message = message
    }
}

/// The answer to a poll.
public struct WorkerAssignment: Codable, Sendable, Hashable {
    /// Results the controller has saved: the worker forgets them.
    public var acknowledged: [String]
    /// The next item to run, only when the poll said `ready`.
    public var item: ItemToRun?
    /// The map no longer needs this worker (it finished, or the worker sat idle past
    /// `idleTimeout`): exit 0 once nothing is left to report.
    public var stop: Bool

    public init(acknowledged: [String] = [], item: ItemToRun? = nil, stop: Bool = false) {
        self.acknowledged = acknowledged
        self.item = item
        self.stop = stop
    }
}

/// One item attempt, everything a worker needs to run it as the pod-per-item mode would.
public struct ItemToRun: Codable, Sendable, Hashable {
    /// The attempt's name: the pod name it would have had without workers.
    public var name: String
    public var index: Int
    public var attempt: Int
    /// `command` + `args` as rendered, `$(VAR)` not yet expanded (the worker expands them
    /// against the item's environment, as the kubelet does).
    public var arguments: [String]
    /// Set over the worker's own environment, in order: `CAPSTAN_*` and the node's `env`.
    public var environment: [EnvironmentVariable]
    public var workingDirectory: String?
    /// The node's `timeout`: the worker stops the item past it and reports `timedOut`.
    public var timeoutSeconds: Double?

    public init(name: String, index: Int, attempt: Int, arguments: [String], environment: [EnvironmentVariable],
                workingDirectory: String? = nil, timeoutSeconds: Double? = nil) {
        self.name = name
        self.index = index
        self.attempt = attempt
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.timeoutSeconds = timeoutSeconds
    }
}

public struct EnvironmentVariable: Codable, Sendable, Hashable {
    public var name: String
    public var value: String
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

public enum WorkerProtocol {
    public static let pollPath = "/v1/workers/poll"
    /// How long the controller holds a ready worker's poll when it has no item for it.
    public static let longPoll: Duration = .seconds(5)
    /// How often a busy worker polls, so that a restarted controller hears from it soon.
    public static let busyPollInterval: Duration = .seconds(1)
    /// The worker's environment the engine sets on a worker pod.
    public static let dispatchURLVariable = "CAPSTAN_DISPATCH_URL"
    public static let tokenVariable = "CAPSTAN_WORKER_TOKEN"
    public static let podVariable = "CAPSTAN_WORKER_POD"
    public static let workflowUIDVariable = "CAPSTAN_WORKFLOW_UID"
    /// Where the init container puts the `capstan` binary in a worker pod.
    public static let binaryDirectory = "/capstan"
    public static let binaryPath = binaryDirectory + "/capstan"
    public static let binaryVolume = "capstan-binary"
    public static let initContainerName = "capstan-binary"
}
