import CapstanAPI

/// One item attempt of a `map.workers` node as the engine hands it to the node's workers
/// (SPEC §15): the protocol's `ItemToRun`, what the attempt's pod would have run without the
/// pod, and the node whose workers take it.
public struct ItemDispatch: Sendable, Hashable {
    public var node: String
    public var item: ItemToRun

    public init(node: String, item: ItemToRun) {
        self.node = node
        self.item = item
    }

    public init(name: String, node: String, index: Int, attempt: Int, arguments: [String], environment: [EnvironmentVariable],
                workingDirectory: String? = nil, timeoutSeconds: Double? = nil) {
        self.init(node: node, item: ItemToRun(name: name, index: index, attempt: attempt, arguments: arguments, environment: environment,
                                              workingDirectory: workingDirectory, timeoutSeconds: timeoutSeconds))
    }

    /// The pod name the attempt would have had: its identity everywhere (status, logs, acks).
    public var name: String { item.name }
    public var index: Int { item.index }
    public var attempt: Int { item.attempt }
    public var arguments: [String] { item.arguments }
    public var environment: [EnvironmentVariable] { item.environment }
}
