import CapstanAPI
import CapstanKube

/// The watches the scheduler and kubelets share: our Nodes (the roster's, which grows when
/// the autoscaler adds one), pods without a node, and unfinished pods on a node (those on
/// other nodes are dropped as they arrive). Pods that finish leave the last selection,
/// which is how their capacity is released.
struct KubeletInformers: Sendable {
    static let pendingSelector = "spec.nodeName=,status.phase!=Succeeded,status.phase!=Failed"
    static let boundSelector = "spec.nodeName!=,status.phase!=Succeeded,status.phase!=Failed"

    let nodes: Informer<NodeInfo>
    let pending: Informer<PendingPod>
    let bound: Informer<BoundPod>
    /// Secrets and ConfigMaps, by their keys only: a container that needs a missing one
    /// waits, and starts once it appears.
    let secrets: Informer<ConfigObject>
    let configMaps: Informer<ConfigObject>

    init(client: KubeClient, nodes roster: NodeRoster, runtime: SimulatedKubelets.Runtime) {
        let mode: BoundPod.Mode
        switch runtime {
        case .scripted: mode = .scripted
        case .process: mode = .process
        }
        nodes = Informer(client: client, resource: .nodes) { object in
            let node = NodeInfo(json: object)
            return roster.contains(node.name) ? node : nil
        }
        // The containers' statuses are what the kubelets themselves wrote; neither the
        // scheduler nor a kubelet reads them back, so pod events are decoded without them.
        pending = Informer(client: client, resource: .pods, fieldSelector: Self.pendingSelector,
                           options: InformerOptions(ignoredPaths: [["status", "containerStatuses"]]), transform: PendingPod.from)
        bound = Informer(client: client, resource: .pods, fieldSelector: Self.boundSelector,
                         options: InformerOptions(ignoredPaths: [["status", "containerStatuses"], ["status", "conditions"]])) { object in
            BoundPod.from(object, owned: roster.contains, mode: mode)
        }
        secrets = Informer(client: client, resource: .secrets) { ConfigObject.from($0, kind: .secret) }
        configMaps = Informer(client: client, resource: .configMaps) { ConfigObject.from($0, kind: .configMap) }
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
        let (secrets, configMaps) = (self.secrets, self.configMaps)
        group.addTask { await secrets.run() }
        group.addTask { await configMaps.run() }
        group.addTask { for await event in secrets.events() { inputs.yield(.config(event)) } }
        group.addTask { for await event in configMaps.events() { inputs.yield(.config(event)) } }
        group.addTask {
            await secrets.waitForSync()
            await configMaps.waitForSync()
            if !Task.isCancelled { inputs.yield(.configSynced) }
        }
    }
}
