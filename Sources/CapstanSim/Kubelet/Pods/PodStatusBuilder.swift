import CapstanAPI

/// The `status` a real kubelet (1.32) writes for a running and for a finished pod. Written
/// as a strategic-merge patch, as the kubelet does: conditions merge by type, and the
/// container statuses are replaced whole.
struct PodStatusBuilder: Sendable {
    var pod: BoundPod
    var hostIP: String
    var podIP: String
    var startedAt: String

    /// The longest termination message a kubelet keeps per container.
    static let maximumMessageBytes = 4096

    func running() -> JSONValue {
        let containers = pod.containers.map { container -> JSONValue in
            containerStatus(container, ready: true, state: ["running": ["startedAt": .string(startedAt)]])
        }
        return .object(addresses([
            "phase": "Running",
            "startTime": .string(startedAt),
            "conditions": .array([
                condition("PodReadyToStartContainers", true, at: startedAt),
                condition("Initialized", true, at: startedAt),
                condition("Ready", true, at: startedAt),
                condition("ContainersReady", true, at: startedAt),
                condition("PodScheduled", true, at: startedAt),
            ]),
            "containerStatuses": .array(containers),
        ]))
    }

    /// The final status. `afterMain` is set when `main` had ended earlier (its own outcome and
    /// time) while sidecars ran on, and the pod is now stopped for deletion or its deadline:
    /// `main` keeps its termination and the sidecars end killed.
    func finished(_ outcome: PodOutcome, at finishedAt: String,
                  afterMain: (outcome: PodOutcome, at: String)? = nil) -> JSONValue {
        let succeeded = afterMain == nil && outcome.succeeded
        let podReason = succeeded ? "PodCompleted" : "PodFailed"
        var conditions: [JSONValue] = [
            condition("PodReadyToStartContainers", false, at: finishedAt),
            condition("Initialized", true, at: startedAt, reason: succeeded ? "PodCompleted" : nil),
            condition("Ready", false, at: finishedAt, reason: podReason),
            condition("ContainersReady", false, at: finishedAt, reason: podReason),
        ]
        var status: [String: JSONValue] = ["phase": succeeded ? "Succeeded" : "Failed", "startTime": .string(startedAt)]
        if let disruption = disruption(outcome) {
            conditions.append(condition("DisruptionTarget", true, at: finishedAt, reason: disruption.reason, message: disruption.message))
        }
        if let (reason, message) = podStatusReason(outcome) {
            status["reason"] = .string(reason)
            status["message"] = .string(message)
        }
        status["conditions"] = .array(conditions)
        let main = termination(afterMain?.outcome ?? outcome)
        status["containerStatuses"] = .array(pod.containers.enumerated().map { index, container in
            let isMain = index == pod.mainContainer
            let (code, reason, message) = isMain ? main
                : afterMain != nil ? termination(.deleted(exitCode: 143)) : sidecarTermination(outcome)
            var terminated: [String: JSONValue] = [
                "exitCode": .number(Double(code)), "reason": .string(reason),
                "startedAt": .string(startedAt), "finishedAt": .string(isMain ? afterMain?.at ?? finishedAt : finishedAt),
                "containerID": .string(containerID(container)),
            ]
            if let message, !message.isEmpty { terminated["message"] = .string(Self.truncated(message)) }
            return containerStatus(container, ready: false, state: ["terminated": .object(terminated)])
        })
        return .object(addresses(status))
    }

    // MARK: - Pieces

    /// The main container's exit code, reason and message for each outcome.
    func termination(_ outcome: PodOutcome) -> (Int, String, String?) {
        switch outcome {
        case .exited(let code, let message): return (code, code == 0 ? "Completed" : "Error", message)
        case .oomKilled: return (137, "OOMKilled", nil)
        case .evicted, .preempted, .deadlineExceeded(137): return (137, "Error", nil)
        case .deadlineExceeded(let code), .deleted(let code): return (code, "Error", nil)
        case .nodeLost, .containerLost:
            return (137, "ContainerStatusUnknown", "The container could not be located when the pod was terminated")
        case .startFailed(let message): return (128, "StartError", message)
        }
    }

    /// Other containers end with the pod: cleanly when it succeeded, killed otherwise.
    func sidecarTermination(_ outcome: PodOutcome) -> (Int, String, String?) {
        outcome.succeeded ? (0, "Completed", nil) : termination(.deleted(exitCode: 137))
    }

    /// `status.reason` and `status.message`, which kube sets only for some endings.
    func podStatusReason(_ outcome: PodOutcome) -> (String, String)? {
        switch outcome {
        case .evicted: return ("Evicted", evictionMessage)
        case .nodeLost: return ("NodeLost", "Node \(pod.node) which was running pod \(pod.name) is unresponsive")
        case .deadlineExceeded: return ("DeadlineExceeded", "Pod was active on the node longer than the specified deadline")
        default: return nil
        }
    }

    func disruption(_ outcome: PodOutcome) -> (reason: String, message: String)? {
        switch outcome {
        case .evicted: return ("TerminationByKubelet", evictionMessage)
        case .preempted: return ("PreemptionByScheduler", "default-scheduler: preempting to accommodate a higher priority pod")
        case .nodeLost: return ("DeletionByTaintManager", "Taint manager: deleting due to NoExecute taint")
        default: return nil
        }
    }

    /// The eviction manager's wording, with a usage above the pod's request.
    private var evictionMessage: String {
        let request = pod.requests["memory"]
        let usageKi = (request > 0 ? request + 256 * 1024 * 1024 : 512 * 1024 * 1024) / 1024
        let container = pod.containers.indices.contains(pod.mainContainer) ? pod.containers[pod.mainContainer].name : "main"
        return "The node was low on resource: memory. Threshold quantity: 100Mi, available: 51200Ki. "
            + "Container \(container) was using \(usageKi)Ki, request is \(request > 0 ? "\(request / 1024)Ki" : "0"), "
            + "has larger consumption of memory. "
    }

    func addresses(_ status: [String: JSONValue]) -> [String: JSONValue] {
        var status = status
        status["hostIP"] = .string(hostIP)
        status["hostIPs"] = [["ip": .string(hostIP)]]
        status["podIP"] = .string(podIP)
        status["podIPs"] = [["ip": .string(podIP)]]
        return status
    }

    func condition(_ type: String, _ value: Bool, at time: String, reason: String? = nil, message: String? = nil) -> JSONValue {
        var fields: [String: JSONValue] = ["type": .string(type), "status": value ? "True" : "False",
                                           "lastProbeTime": nil, "lastTransitionTime": .string(time)]
        if let reason { fields["reason"] = .string(reason) }
        if let message { fields["message"] = .string(message) }
        return .object(fields)
    }

    func containerStatus(_ container: BoundPod.Container, ready: Bool, state: JSONValue) -> JSONValue {
        [
            "name": .string(container.name), "image": .string(container.image),
            "imageID": .string(Self.imageID(container.image)), "containerID": .string(containerID(container)),
            "ready": .bool(ready), "started": .bool(ready), "restartCount": 0,
            "state": state, "lastState": [:],
        ]
    }

    func containerID(_ container: BoundPod.Container) -> String {
        "containerd://" + Self.hexDigest("\(pod.uid)/\(container.name)")
    }

    /// What a container runtime reports for an image: the repository with a digest.
    static func imageID(_ image: String) -> String {
        "\(ImageReference(image).repository)@sha256:\(hexDigest(image))"
    }

    /// 64 hex digits derived from `text` (FNV-1a, four lanes): stable, not cryptographic.
    static func hexDigest(_ text: String) -> String {
        (0..<4).map { lane -> String in
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325 &+ UInt64(lane) &* 0x9E37_79B9_7F4A_7C15
            for byte in text.utf8 {
                hash ^= UInt64(byte)
                hash &*= 0x100_0000_01b3
            }
            let digits = String(hash, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }.joined()
    }

    /// At most 4096 bytes, cut on a character boundary, as the kubelet keeps it.
    static func truncated(_ message: String) -> String {
        guard message.utf8.count > maximumMessageBytes else { return message }
        var bytes = Array(message.utf8.prefix(maximumMessageBytes))
        while !bytes.isEmpty, String(validating: bytes, as: UTF8.self) == nil { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}
