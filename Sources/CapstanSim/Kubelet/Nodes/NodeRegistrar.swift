import CapstanAPI
import CapstanKube
import Logging

/// Registers the simulated nodes with the API server and renews their Leases, as kubelets
/// do, so that a real control plane (`--attach`) keeps them Ready.
struct NodeRegistrar: Sendable {
    let client: KubeClient
    /// The configured nodes, and those the autoscaler adds while running.
    let roster: NodeRoster
    let logger: Logger

    static let leaseResource = CapstanKube.ResourceType(group: "coordination.k8s.io", version: "v1", plural: "leases",
                                            kind: "Lease", namespaced: true)

    init(client: KubeClient, configuration: NodePoolConfiguration, logger: Logger) throws(KubeletConfigurationError) {
        self.client = client
        let taints = try configuration.parsedTaints()
        roster = NodeRoster(configuration.nodeNames.enumerated().map { index, name in
            NodeObjects(name: name, index: index, configuration: configuration, taints: taints)
        })
        self.logger = logger
    }

    /// Creates each Node, or brings an existing one (from an earlier run) back to the
    /// configured labels, taints and capacity, then writes its status.
    func registerAll() async throws {
        let nodes = roster.nodes
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (position, node) in nodes.enumerated() {
                group.addTask { try await register(node) }
                // A few at a time: attaching thousands of nodes must not flood the server.
                if position >= 8 { try await group.next() }
            }
            try await group.waitForAll()
        }
        logger.info("registered simulated nodes", metadata: ["count": "\(nodes.count)"])
    }

    /// Registers a node the autoscaler provisioned, retrying until the API server takes it.
    /// It joins the roster first, so the informers already own it when its Node appears.
    func registerAdded(_ node: NodeObjects) async {
        roster.add(node)
        while !Task.isCancelled {
            do {
                try await register(node)
                logger.info("registered a node added by the simulated autoscaler", metadata: ["node": "\(node.name)"])
                return
            } catch {
                if Task.isCancelled { return }
                logger.warning("cannot register the added node; retrying", metadata: ["node": "\(node.name)", "error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    private func register(_ node: NodeObjects) async throws {
        do {
            _ = try await client.create(.nodes, namespace: nil, object: node.node)
        } catch let error as KubeError where error.isAlreadyExists {
            _ = try await client.patch(.nodes, namespace: nil, name: node.name, patch: .merge([
                "metadata": ["labels": node.labels, "annotations": node.node["metadata"]?["annotations"] ?? [:]],
                "spec": ["taints": node.spec["taints"] ?? .null, "unschedulable": .null],
            ]))
        }
        _ = try await client.patchStatus(.nodes, namespace: nil, name: node.name,
                                         patch: .merge(["status": node.status(heartbeat: WallClock.now())]))
    }

    /// Renews every node's Lease each `interval` until cancelled. Failures are logged and
    /// retried at the next beat.
    func heartbeat(every interval: Duration = .seconds(10)) async {
        var uids: [String: String] = [:]
        while !Task.isCancelled {
            for node in roster.nodes {
                do {
                    if uids[node.name] == nil {
                        uids[node.name] = try await client.getIfPresent(.nodes, namespace: nil, name: node.name)?.kubeMeta.uid
                    }
                    try await renew(node, nodeUID: uids[node.name])
                } catch is CancellationError {
                    return
                } catch {
                    if Task.isCancelled { return }
                    logger.warning("cannot renew the node lease", metadata: ["node": "\(node.name)", "error": "\(error)"])
                }
            }
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }

    private func renew(_ node: NodeObjects, nodeUID: String?) async throws {
        let lease = node.lease(renewTime: WallClock.microNow(), nodeUID: nodeUID)
        do {
            _ = try await client.patch(Self.leaseResource, namespace: "kube-node-lease", name: node.name,
                                       patch: .merge(["spec": lease["spec"] ?? [:]]))
        } catch let error as KubeError where error.isNotFound {
            _ = try await client.create(Self.leaseResource, namespace: "kube-node-lease", object: lease)
        }
    }
}
