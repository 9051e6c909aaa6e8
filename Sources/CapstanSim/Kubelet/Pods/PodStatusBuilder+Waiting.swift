import CapstanAPI

/// Statuses of a pod that is on its node but not simply running: `main` waiting to be
/// created (image pull, missing config, volumes), or `main` ended while sidecars run on.
extension PodStatusBuilder {
    /// `Pending` with the main container waiting, as kubelet 1.32 reports it. Volumes not
    /// yet mounted (`ContainerCreating`) hold back every container and the sandbox; other
    /// reasons hold back only `main`, and the other containers run.
    func waiting(reason: String, message: String?, at time: String) -> JSONValue {
        let volumesPending = reason == "ContainerCreating"
        var waiting: [String: JSONValue] = ["reason": .string(reason)]
        if let message { waiting["message"] = .string(message) }
        let unready = volumesPending ? pod.containers.map(\.name) : [mainName]
        let containers = pod.containers.enumerated().map { index, container -> JSONValue in
            guard index == pod.mainContainer || volumesPending else {
                return containerStatus(container, ready: true, state: ["running": ["startedAt": .string(startedAt)]])
            }
            var status = containerStatus(container, ready: false, state: ["waiting": .object(waiting)])
            // Never created: no container id, and no image id until the image is pulled.
            status["containerID"] = nil
            status["imageID"] = ""
            return status
        }
        return .object(addresses([
            "phase": "Pending",
            "startTime": .string(startedAt),
            "conditions": .array(notReadyConditions(unready: unready, at: time, sandboxReady: !volumesPending)),
            "containerStatuses": .array(containers),
        ]))
    }

    /// `main` has terminated but the sidecars have not: the pod is still `Running`, and not ready.
    func mainExited(_ outcome: PodOutcome, at finishedAt: String) -> JSONValue {
        var status = finished(outcome, at: finishedAt).objectValue ?? [:]
        status["phase"] = "Running"
        status["reason"] = nil
        status["message"] = nil
        status["conditions"] = .array(notReadyConditions(unready: [mainName], at: finishedAt, sandboxReady: true))
        var containers = status["containerStatuses"]?.arrayValue ?? []
        for (index, container) in pod.containers.enumerated() where index != pod.mainContainer && index < containers.count {
            containers[index] = containerStatus(container, ready: true, state: ["running": ["startedAt": .string(startedAt)]])
        }
        status["containerStatuses"] = .array(containers)
        return .object(status)
    }

    private var mainName: String {
        pod.containers.indices.contains(pod.mainContainer) ? pod.containers[pod.mainContainer].name : "main"
    }

    /// The kubelet's conditions while some containers are not ready.
    private func notReadyConditions(unready: [String], at time: String, sandboxReady: Bool) -> [JSONValue] {
        let message = "containers with unready status: [\(unready.joined(separator: " "))]"
        return [
            condition("PodReadyToStartContainers", sandboxReady, at: startedAt),
            condition("Initialized", true, at: startedAt),
            condition("Ready", false, at: time, reason: "ContainersNotReady", message: message),
            condition("ContainersReady", false, at: time, reason: "ContainersNotReady", message: message),
            condition("PodScheduled", true, at: startedAt),
        ]
    }
}
