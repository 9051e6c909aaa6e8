import CapstanAPI

/// One item attempt of a `map.workers` node as the engine hands it to the node's workers:
/// what the attempt's pod would have run, without the pod (SPEC §15).
public struct ItemDispatch: Sendable, Hashable {
    /// The pod name the attempt would have had: its identity everywhere (status, logs, acks).
    public var name: String
    public var node: String
    public var index: Int
    public var attempt: Int
    /// `command` + `args`, rendered for the item; `$(VAR)` is expanded by the worker.
    public var arguments: [String]
    /// The attempt's `CAPSTAN_*` variables and the node's literal `env`, in pod order.
    public var environment: [Variable]
    public var workingDirectory: String?
    /// The node's `timeout`: a worker stops the item's process past it.
    public var timeoutSeconds: Double?

    public struct Variable: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(name: String, node: String, index: Int, attempt: Int, arguments: [String], environment: [Variable],
                workingDirectory: String? = nil, timeoutSeconds: Double? = nil) {
        self.name = name
        self.node = node
        self.index = index
        self.attempt = attempt
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.timeoutSeconds = timeoutSeconds
    }
}
