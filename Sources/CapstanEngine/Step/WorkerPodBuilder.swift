import CapstanAPI

/// Builds a `map.workers` node's worker pod (SPEC §15): the pod an item would run in, with
/// `capstan worker` in place of the item's command, the `capstan` binary installed by an init
/// container from the controller's image, and what the worker needs to reach the
/// controller instead of anything one item owns.
struct WorkerPodBuilder {
    let builder: PodBuilder

    /// Variables of one attempt, which the worker sets per item instead.
    private static let perItemVariables: Set<String> = [
        "CAPSTAN_ATTEMPT", "CAPSTAN_INDEX", "CAPSTAN_INPUTS", "CAPSTAN_INPUTS_URI", "CAPSTAN_OUTPUTS_FILE", "CAPSTAN_OUTPUTS_URI",
        "CAPSTAN_RAW_DATA_URI", "CAPSTAN_CHECKPOINT_URI", "CAPSTAN_PREV_CHECKPOINT_URI",
    ]

    /// `rendered`: the node rendered for one of its items; only what every item shares is
    /// used (image, resources, pod template, secret and `valueFrom` variables).
    func pod(for node: CompiledNode, slot: Int, rendered: PodBuilder.Rendered) -> PodRequest {
        let metadata = builder.metadata
        let config = builder.config
        let name = PodNaming.workerName(workflow: metadata.name, uid: metadata.uid, node: node.name, slot: slot)
        var shared = rendered
        shared.command = [WorkerProtocol.binaryPath, "worker"]
        shared.args = []
        shared.workingDir = nil
        shared.inputs = [:]
        shared.env = rendered.env.filter { if case .object = $0.1 { true } else { false } }
        shared.labels[PodLabels.worker] = String(slot)
        var request = builder.pod(for: node, index: nil, attempt: 0, rendered: shared, offSpot: false)
        guard case .object(var manifest) = request.manifest, case .object(var podMetadata)? = manifest["metadata"],
              case .object(var spec)? = manifest["spec"], case .object(var container)? = spec["containers"]?[0] else { return request }
        podMetadata["name"] = .string(name)

        let token = WorkerTokens.token(
            key: config.workerKey, namespace: metadata.namespace, workflow: metadata.name, uid: metadata.uid, node: node.name, pod: name)
        var env = (container["env"]?.arrayValue ?? []).filter {
            !WorkerPodBuilder.perItemVariables.contains($0["name"]?.stringValue ?? "")
        }
        env.insert(contentsOf: [
            variable(WorkerProtocol.workflowUIDVariable, metadata.uid), variable(WorkerProtocol.podVariable, name),
            variable(WorkerProtocol.dispatchURLVariable, config.dispatchURL), variable(WorkerProtocol.tokenVariable, token),
        ], at: min(3, env.count))
        container["env"] = .array(env)
        container["volumeMounts"] = .array((container["volumeMounts"]?.arrayValue ?? []) + [binaryMount])
        spec["containers"] = [.object(container)]
        spec["initContainers"] = [[
            "name": .string(WorkerProtocol.initContainerName),
            "image": .string(config.workerImage),
            "command": ["capstan", "worker", "--install", .string(WorkerProtocol.binaryPath)],
            "volumeMounts": [binaryMount],
        ]]
        spec["volumes"] = .array((spec["volumes"]?.arrayValue ?? []) + [["name": .string(WorkerProtocol.binaryVolume), "emptyDir": [:]]])
        // Each item keeps the node's timeout, enforced by the worker; the pod runs for many.
        spec["activeDeadlineSeconds"] = nil
        manifest["metadata"] = .object(podMetadata)
        manifest["spec"] = .object(spec)
        request.name = name
        request.manifest = .object(manifest)
        return request
    }

    private var binaryMount: JSONValue {
        ["name": .string(WorkerProtocol.binaryVolume), "mountPath": .string(WorkerProtocol.binaryDirectory)]
    }

    private func variable(_ name: String, _ value: String) -> JSONValue { ["name": .string(name), "value": .string(value)] }
}

/// A worker pod's token: an HMAC over who the pod is, set in its env when it is built and
/// checked by the controller's dispatch endpoint on every poll.
public enum WorkerTokens {
    public static func token(key: [UInt8], namespace: String, workflow: String, uid: String, node: String, pod: String) -> String {
        token(key: key, claims: WorkerClaims(namespace: namespace, workflow: workflow, workflowUID: uid, node: node, pod: pod))
    }

    public static func token(key: [UInt8], claims: WorkerClaims) -> String {
        HMACSHA256.hex(key: key, message: claims.signedText)
    }
}
