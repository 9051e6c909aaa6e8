import CapstanAPI
import CapstanKube

/// The three watches the scheduler and kubelets share: our Nodes, pods without a node, and
/// unfinished pods on a node (those on other nodes are dropped as they arrive). Pods that
/// finish leave the last selection, which is how their capacity is released.
struct KubeletInformers: Sendable {
    static let pendingSelector = "spec.nodeName=,status.phase!=Succeeded,status.phase!=Failed"
    static let boundSelector = "spec.nodeName!=,status.phase!=Succeeded,status.phase!=Failed"

    let nodes: Informer<NodeInfo>
    let pending: Informer<PendingPod>
    let bound: Informer<BoundPod>

    init(client: KubeClient, nodes names: Set<String>, runtime: SimulatedKubelets.Runtime) {
        let mode: BoundPod.Mode
        switch runtime {
        case .scripted: mode = .scripted
        case .process: mode = .process
        }
        nodes = Informer(client: client, resource: .nodes) { object in
            let node = NodeInfo(json: object)
            return names.contains(node.name) ? node : nil
        }
        pending = Informer(client: client, resource: .pods, fieldSelector: Self.pendingSelector, transform: PendingPod.from)
        bound = Informer(client: client, resource: .pods, fieldSelector: Self.boundSelector) { object in
            BoundPod.from(object, nodes: names, mode: mode)
        }
    }

    /// Runs the informers and forwards their events as inputs, until cancelled.
    func start(in group: inout TaskGroup<Void>, feeding inputs: AsyncStream<KubeletInput>.Continuation) {
        let (nodes, pending, bound) = (self.nodes, self.pending, self.bound)
        group.addTask { await nodes.run() }
        group.addTask { await pending.run() }
        group.addTask { await bound.run() }
        group.addTask { for await event in nodes.events() { inputs.yield(.node(event)) } }
        group.addTask { for await event in pending.events() { inputs.yield(.pending(event)) } }
        group.addTask { for await event in bound.events() { inputs.yield(.bound(event)) } }
    }
}
