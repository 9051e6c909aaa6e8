import Synchronization

/// The simulated nodes this process owns: the configured pool, then any the autoscaler
/// adds. Shared by the informers (which drop other nodes and pods on them), the registrar
/// and the heartbeat, so a node added while running is owned everywhere at once.
final class NodeRoster: Sendable {
    private let state: Mutex<(names: Set<String>, nodes: [NodeObjects])>

    init(_ nodes: [NodeObjects]) {
        state = Mutex((Set(nodes.map(\.name)), nodes))
    }

    func contains(_ name: String) -> Bool {
        state.withLock { $0.names.contains(name) }
    }

    var nodes: [NodeObjects] {
        state.withLock { $0.nodes }
    }

    func add(_ node: NodeObjects) {
        state.withLock { state in
            guard state.names.insert(node.name).inserted else { return }
            state.nodes.append(node)
        }
    }
}
