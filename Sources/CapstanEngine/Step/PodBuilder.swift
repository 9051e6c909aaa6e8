import CapstanAPI

/// Builds the Pod for one attempt exactly as SPEC §3 describes. Pure: the same inputs give
/// the same pod, byte for byte.
struct PodBuilder {
    let metadata: ObjectMeta
    let layout: StorageLayout
    let config: EngineConfig

    struct Rendered {
        var image: String
        var command: [String]
        var args: [String]
        var env: [(String, JSONValue)]
        var workingDir: String?
        var inputs: [String: JSONValue]
        var labels: [String: String]
        var annotations: [String: String]
    }

    /// `inputsURI`: where the inputs were written when too large to pass by value.
    func pod(for node: CompiledNode, index: Int?, attempt: Int, rendered: Rendered, offSpot: Bool, inputsURI: String? = nil) -> PodRequest {
        let name = PodNaming.name(workflow: metadata.name, uid: metadata.uid, node: node.name, index: index, attempt: attempt)
        var labels = rendered.labels
        labels[PodLabels.workflow] = metadata.name
        labels[PodLabels.node] = node.name
        labels[PodLabels.attempt] = String(attempt)
        labels[PodLabels.managedBy] = "capstan"
        if let index { labels[PodLabels.index] = String(index) }

        let secrets = node.settings.secrets ?? []
        let env = environment(for: node, index: index, attempt: attempt, rendered: rendered, inputsURI: inputsURI)

        var container: [String: JSONValue] = [
            "name": "main",
            "image": .string(rendered.image),
            "env": .array(env),
            "terminationMessagePath": .string(SecretVolume.terminationMessagePath),
            "terminationMessagePolicy": "File",
        ]
        if !rendered.command.isEmpty { container["command"] = .array(rendered.command.map(JSONValue.string)) }
        if !rendered.args.isEmpty { container["args"] = .array(rendered.args.map(JSONValue.string)) }
        if let dir = rendered.workingDir, !dir.isEmpty { container["workingDir"] = .string(dir) }
        if let resources = node.settings.resources {
            var r: [String: JSONValue] = [:]
            if !resources.requests.isEmpty { r["requests"] = .object(resources.requests.mapValues { .string($0.text) }) }
            if !resources.limits.isEmpty { r["limits"] = .object(resources.limits.mapValues { .string($0.text) }) }
            if !r.isEmpty { container["resources"] = .object(r) }
        }
        let template = node.settings.podTemplate ?? PodTemplate()
        let mounts = (template.volumeMounts ?? []) + SecretVolume.mounts(secrets)
        if !mounts.isEmpty { container["volumeMounts"] = .array(mounts) }

        var spec: [String: JSONValue] = [
            "restartPolicy": "Never",
            "containers": [.object(container)],
        ]
        var tolerations = template.tolerations ?? []
        for gpu in node.settings.resources?.gpuResources ?? [] {
            tolerations.append(["key": .string(gpu), "operator": "Exists", "effect": "NoSchedule"])
        }
        var nodeSelector = template.nodeSelector ?? [:]
        if node.isInterruptible && !offSpot {
            tolerations += config.spotTolerations
            nodeSelector.merge(config.spotNodeSelector) { own, _ in own }
        }
        if !tolerations.isEmpty { spec["tolerations"] = .array(tolerations) }
        if !nodeSelector.isEmpty { spec["nodeSelector"] = .object(nodeSelector.mapValues(JSONValue.string)) }
        if let timeout = node.settings.timeout {
            spec["activeDeadlineSeconds"] = .number(max(1, timeout.seconds.rounded(.up)))
        }
        spec["affinity"] = template.affinity
        spec["serviceAccountName"] = template.serviceAccountName.map(JSONValue.string)
        spec["priorityClassName"] = template.priorityClassName.map(JSONValue.string)
        if let pullSecrets = template.imagePullSecrets { spec["imagePullSecrets"] = .array(pullSecrets.map { ["name": .string($0)] }) }
        spec["securityContext"] = template.securityContext
        let volumes = (template.volumes ?? []) + [SecretVolume.volume(secrets)].compactMap { $0 }
        if !volumes.isEmpty { spec["volumes"] = .array(volumes) }

        var podMetadata: [String: JSONValue] = [
            "name": .string(name),
            "namespace": .string(metadata.namespace),
            "labels": .object(labels.mapValues(JSONValue.string)),
            "ownerReferences": [[
                "apiVersion": .string(Workflow.apiVersion), "kind": .string(Workflow.kind),
                "name": .string(metadata.name), "uid": .string(metadata.uid),
                "controller": true, "blockOwnerDeletion": true,
            ]],
        ]
        if !rendered.annotations.isEmpty { podMetadata["annotations"] = .object(rendered.annotations.mapValues(JSONValue.string)) }
        let manifest: JSONValue = [
            "apiVersion": "v1", "kind": "Pod", "metadata": .object(podMetadata), "spec": .object(spec),
        ]
        return PodRequest(name: name, node: node.name, index: index, attempt: attempt, manifest: manifest)
    }

    /// The main container's variables in order: Capstan's (SPEC §3), the secrets', then the
    /// node's own. A `map.workers` item gets the literal ones without the rest of the pod.
    func environment(for node: CompiledNode, index: Int?, attempt: Int, rendered: Rendered, inputsURI: String?) -> [JSONValue] {
        var env: [JSONValue] = [
            envVar("CAPSTAN_WORKFLOW", metadata.name),
            envVar("CAPSTAN_NAMESPACE", metadata.namespace),
            envVar("CAPSTAN_NODE", node.name),
            envVar("CAPSTAN_ATTEMPT", String(attempt)),
        ]
        if let index { env.append(envVar("CAPSTAN_INDEX", String(index))) }
        if let inputsURI {
            env.append(envVar("CAPSTAN_INPUTS_URI", inputsURI))
        } else {
            env.append(envVar("CAPSTAN_INPUTS", JSONValue.object(rendered.inputs).jsonString))
        }
        env.append(envVar("CAPSTAN_OUTPUTS_FILE", SecretVolume.terminationMessagePath))
        env.append(envVar("CAPSTAN_OUTPUTS_URI", layout.uri(layout.outputsKey(node.name, index: index))))
        env.append(envVar("CAPSTAN_RAW_DATA_URI", layout.uri(layout.rawDataKey(node.name, index: index, attempt: attempt))))
        if node.hasCheckpoint {
            env.append(envVar("CAPSTAN_CHECKPOINT_URI", layout.uri(layout.checkpointKey(node.name, index: index, attempt: attempt))))
            let previous = attempt > 0 ? layout.uri(layout.checkpointKey(node.name, index: index, attempt: attempt - 1)) : ""
            env.append(envVar("CAPSTAN_PREV_CHECKPOINT_URI", previous))
        }
        // Before the node's own env, so that its values may use a secret as `$(VAR)`.
        env += SecretVolume.environment(node.settings.secrets ?? [])
        for (envName, value) in rendered.env {
            if case .object = value {
                env.append(["name": .string(envName), "valueFrom": value])
            } else {
                env.append(["name": .string(envName), "value": value])
            }
        }
        return env
    }

    private func envVar(_ name: String, _ value: String) -> JSONValue {
        ["name": .string(name), "value": .string(value)]
    }
}
