import CapstanAPI

/// The `Node` and node `Lease` objects a real kubelet registers and keeps fresh, for one
/// simulated node.
struct NodeObjects: Sendable {
    var name: String
    var index: Int
    var configuration: NodePoolConfiguration
    var taints: [Taint]
    /// Capacity beyond the pool's, by resource: a node the autoscaler sized for a pod.
    var capacityOverrides: [String: String] = [:]

    static let kubeletVersion = "v1.32.0"

    /// `172.18.0.2`, `172.18.0.3`, …: distinct for the first 64,000 nodes.
    static func internalIP(index: Int) -> String { "172.18.\(index / 250 % 256).\(index % 250 + 2)" }

    /// Pod addresses from the node's own /16 (`10.N.x.y`), the way a CNI hands out a podCIDR.
    static func podIP(nodeIndex: Int, counter: Int) -> String {
        "10.\(nodeIndex % 200 + 20).\(counter / 254 % 256).\(counter % 254 + 1)"
    }

    var labels: JSONValue {
        [
            "kubernetes.io/hostname": .string(name), "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
            "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": "amd64",
            "node.kubernetes.io/instance-type": "capstan-sim",
        ]
    }

    var capacity: JSONValue {
        var fields: [String: JSONValue] = [
            "cpu": .string(configuration.cpu), "memory": .string(configuration.memory),
            "pods": .string(String(configuration.maximumPods)), "ephemeral-storage": "1Ti",
        ]
        if configuration.gpus > 0 { fields["nvidia.com/gpu"] = .string(String(configuration.gpus)) }
        for (name, quantity) in capacityOverrides { fields[name] = .string(quantity) }
        return .object(fields)
    }

    /// The node as the scheduler will read it back once registered.
    var info: NodeInfo {
        NodeInfo(name: name, labels: labels.objectValue?.compactMapValues(\.stringValue) ?? [:], taints: taints,
                 unschedulable: false, allocatable: ResourceList(quantities: capacity), internalIP: Self.internalIP(index: index))
    }

    var node: JSONValue {
        [
            "apiVersion": "v1", "kind": "Node",
            "metadata": [
                "name": .string(name), "labels": labels,
                "annotations": ["node.alpha.kubernetes.io/ttl": "0", "capstan.dev/simulated": "true"],
            ],
            "spec": spec,
        ]
    }

    var spec: JSONValue {
        var fields: [String: JSONValue] = ["podCIDR": .string("10.\(index % 200 + 20).0.0/16"),
                                           "podCIDRs": [.string("10.\(index % 200 + 20).0.0/16")]]
        fields["taints"] = taints.isEmpty ? nil : .array(taints.map(\.json))
        return .object(fields)
    }

    func status(heartbeat: String) -> JSONValue {
        func condition(_ type: String, _ status: String, _ reason: String, _ message: String) -> JSONValue {
            ["type": .string(type), "status": .string(status), "reason": .string(reason), "message": .string(message),
             "lastHeartbeatTime": .string(heartbeat), "lastTransitionTime": .string(heartbeat)]
        }
        return [
            "capacity": capacity, "allocatable": capacity,
            "conditions": [
                condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
            ],
            "addresses": [
                ["type": "InternalIP", "address": .string(Self.internalIP(index: index))],
                ["type": "Hostname", "address": .string(name)],
            ],
            "daemonEndpoints": ["kubeletEndpoint": ["Port": 10250]],
            "nodeInfo": [
                "machineID": .string(PodStatusBuilder.hexDigest("machine/\(name)").prefix(32).description),
                "systemUUID": .string(PodStatusBuilder.hexDigest("system/\(name)").prefix(32).description),
                "bootID": .string(PodStatusBuilder.hexDigest("boot/\(name)").prefix(32).description),
                "kernelVersion": "6.1.0-capstan-sim", "osImage": "Capstan simulated node",
                "containerRuntimeVersion": "containerd://1.7.24", "kubeletVersion": .string(Self.kubeletVersion),
                "kubeProxyVersion": .string(Self.kubeletVersion), "operatingSystem": "linux", "architecture": "amd64",
            ],
        ]
    }

    /// The node's heartbeat in `kube-node-lease`, renewed every 10 s as kubelets do.
    func lease(renewTime: String, nodeUID: String?) -> JSONValue {
        var metadata: [String: JSONValue] = ["name": .string(name), "namespace": "kube-node-lease"]
        if let nodeUID {
            metadata["ownerReferences"] = [["apiVersion": "v1", "kind": "Node", "name": .string(name), "uid": .string(nodeUID)]]
        }
        return [
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": .object(metadata),
            "spec": ["holderIdentity": .string(name), "leaseDurationSeconds": 40, "renewTime": .string(renewTime)],
        ]
    }
}
