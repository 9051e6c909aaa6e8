import CapstanAPI

/// Reads a pod's status the way kubelets and the scheduler report it, and says how the
/// attempt ended, with a SPEC §3 reason.
public struct AttemptClassifier: Sendable {
    public var unschedulableTimeout: Double
    public var imagePullTimeout: Double
    /// How long a container may wait in `CreateContainerConfigError` (a missing Secret,
    /// ConfigMap or key) before the attempt fails: long enough for a Secret applied in the
    /// same `kubectl apply` or synced by an operator to arrive.
    public var configErrorTimeout: Double
    /// How long a node an autoscaler is provisioning may take to arrive (cluster-autoscaler's
    /// own `--max-node-provision-time` default): while one is on its way the unschedulable
    /// wait does not run out.
    public var scaleUpTimeout: Double

    public init(unschedulableTimeout: Double = 300, imagePullTimeout: Double = 300, configErrorTimeout: Double = 60,
                scaleUpTimeout: Double = 900) {
        self.scaleUpTimeout = scaleUpTimeout
        self.unschedulableTimeout = unschedulableTimeout
        self.imagePullTimeout = imagePullTimeout
        self.configErrorTimeout = configErrorTimeout
    }

    private static let imagePullReasons: Set<String> = [
        "ImagePullBackOff", "ErrImagePull", "InvalidImageName", "ErrImageNeverPull", "RegistryUnavailable",
    ]
    private static let configErrorReason = "CreateContainerConfigError"

    /// The kubelet keeps a termination message to this many bytes (`MaxContainerTerminationMessageLength`).
    public static let terminationMessageLimit = 4096

    public func outcome(of pod: ObservedPod, declaredOutputs: [String], now: Timestamp) -> AttemptOutcome {
        switch pod.phase {
        case .succeeded:
            return succeeded(pod, declaredOutputs: declaredOutputs)
        case .failed:
            return .failed(failure(of: pod))
        case .unknown:
            return .running
        case .pending, .running:
            if pod.mainHasExited {
                // Injected sidecars (Istio, Linkerd, log agents) keep the pod Running after
                // `main` ends: the attempt is `main`'s, and the pod is deleted once it is saved.
                return pod.exitCode == 0 ? succeeded(pod, declaredOutputs: declaredOutputs) : .failed(failure(of: pod))
            }
            if let waiting = pod.waitingReason, AttemptClassifier.imagePullReasons.contains(waiting) {
                let since = pod.createdAt ?? now
                let permanent = waiting == "InvalidImageName" || waiting == "ErrImageNeverPull"
                if permanent || now - since >= imagePullTimeout {
                    return .failed(AttemptFailureInfo(
                        reason: .imagePullBackOff, message: pod.message ?? "the image could not be pulled (\(waiting))"))
                }
            }
            if pod.waitingReason == AttemptClassifier.configErrorReason, now - (pod.createdAt ?? now) >= configErrorTimeout {
                return .failed(AttemptFailureInfo(
                    reason: .configError,
                    message: "the container could not be configured for \(SpecDuration(seconds: configErrorTimeout)): \(pod.message ?? "CreateContainerConfigError")"))
            }
            if let mount = pod.mountFailure, now - (pod.createdAt ?? now) >= configErrorTimeout {
                // A volume that cannot be mounted (a Secret of `secrets: [{path: …}]` that does
                // not exist) is the volume form of CreateContainerConfigError.
                return .failed(AttemptFailureInfo(
                    reason: .configError,
                    message: "the pod's volumes could not be mounted for \(SpecDuration(seconds: configErrorTimeout)): \(mount.message)"))
            }
            if let deadline = unschedulableDeadline(of: pod), now >= deadline {
                let why = pod.scaleUpAt == nil
                    ? "no node could run the pod for \(SpecDuration(seconds: unschedulableTimeout))"
                    : "no node could run the pod, and the node an autoscaler was adding did not arrive within \(SpecDuration(seconds: scaleUpTimeout))"
                return .failed(AttemptFailureInfo(reason: .unschedulable, message: "\(why): \(pod.message ?? "unschedulable")"))
            }
            return .running
        }
    }

    /// True when `outcome` would answer `.running` and `nextCheck` nil: the pod is simply
    /// pending or running with nothing that can time out. Lets a map with tens of thousands
    /// of running items settle each of them without the full look.
    public func isPlainlyRunning(_ pod: ObservedPod) -> Bool {
        switch pod.phase {
        case .pending, .running, .unknown: return pod.waitingReason == nil && pod.unschedulableSince == nil && !pod.mainHasExited
        case .succeeded, .failed: return false
        }
    }

    /// When this pod's state should be looked at again even if nothing changes.
    public func nextCheck(of pod: ObservedPod) -> Timestamp? {
        if let deadline = unschedulableDeadline(of: pod) { return deadline }
        if let waiting = pod.waitingReason, AttemptClassifier.imagePullReasons.contains(waiting), let created = pod.createdAt {
            return created + imagePullTimeout
        }
        if pod.waitingReason == AttemptClassifier.configErrorReason || pod.mountFailure != nil, let created = pod.createdAt {
            return created + configErrorTimeout
        }
        return nil
    }

    /// When an unschedulable pod's attempt fails: `unschedulableTimeout` after the scheduler
    /// first said so, but never while an autoscaler is adding a node for it.
    private func unschedulableDeadline(of pod: ObservedPod) -> Timestamp? {
        guard let since = pod.unschedulableSince else { return nil }
        let waited = since + unschedulableTimeout
        guard let scaleUp = pod.scaleUpAt else { return waited }
        return max(waited, scaleUp + scaleUpTimeout)
    }

    private func succeeded(_ pod: ObservedPod, declaredOutputs: [String]) -> AttemptOutcome {
        guard !declaredOutputs.isEmpty else { return .succeeded(outputs: [:]) }
        var outputs: [String: JSONValue]?
        var problem = "the task wrote no outputs to CAPSTAN_OUTPUTS_FILE or CAPSTAN_OUTPUTS_URI"
        if let text = pod.terminationMessage, text.contains(where: { !$0.isWhitespace }) {
            if let parsed = try? JSONValue.parse(text), case .object(let fields) = parsed {
                outputs = fields
            } else if text.utf8.count >= AttemptClassifier.terminationMessageLimit {
                problem = "the outputs the task wrote to CAPSTAN_OUTPUTS_FILE are \(text.utf8.count > AttemptClassifier.terminationMessageLimit ? "\(text.utf8.count) bytes" : "at least 4 KiB"), "
                    + "more than the 4 KiB (\(AttemptClassifier.terminationMessageLimit) bytes) a termination message holds: "
                    + "upload them as a JSON object to CAPSTAN_OUTPUTS_URI instead"
            } else {
                problem = "the outputs the task wrote are not a JSON object"
            }
        }
        if outputs == nil, case .object(let fields)? = pod.uploadedOutputs { outputs = fields }
        guard let outputs else {
            return .failed(AttemptFailureInfo(reason: .outputsMissing, exitCode: pod.exitCode, message: problem))
        }
        let missing = declaredOutputs.filter { outputs[$0] == nil }
        guard missing.isEmpty else {
            return .failed(AttemptFailureInfo(
                reason: .outputsMissing, exitCode: pod.exitCode,
                message: "missing declared output\(missing.count > 1 ? "s" : "") \(missing.map { "\"\($0)\"" }.joined(separator: ", "))"))
        }
        return .succeeded(outputs: outputs.filter { declaredOutputs.contains($0.key) })
    }

    private func failure(of pod: ObservedPod) -> AttemptFailureInfo {
        switch pod.podReason {
        case "Evicted":
            return AttemptFailureInfo(reason: .evicted, exitCode: pod.exitCode, message: pod.message)
        case "Preempting", "Preempted":
            return AttemptFailureInfo(reason: .preempted, exitCode: pod.exitCode, message: pod.message)
        case "NodeLost", "Terminated", "NodeShutdown":
            return AttemptFailureInfo(reason: .nodeLost, exitCode: pod.exitCode, message: pod.message)
        case "WorkerLost":
            return AttemptFailureInfo(reason: .workerLost, exitCode: pod.exitCode, message: pod.message ?? "the worker running the item stopped")
        case "DeadlineExceeded":
            return AttemptFailureInfo(reason: .deadlineExceeded, exitCode: pod.exitCode, message: pod.message ?? "the attempt ran longer than its timeout")
        default: break
        }
        switch pod.disruptionReason {
        case "PreemptionByScheduler", "PreemptionByKubeScheduler":
            return AttemptFailureInfo(reason: .preempted, exitCode: pod.exitCode, message: pod.message)
        case "DeletionByTaintManager", "DeletionByPodGC", "TerminationByKubelet":
            return AttemptFailureInfo(reason: .nodeLost, exitCode: pod.exitCode, message: pod.message)
        case "EvictionByEvictionAPI":
            return AttemptFailureInfo(reason: .evicted, exitCode: pod.exitCode, message: pod.message)
        default: break
        }
        if pod.terminatedReason == "OOMKilled" {
            return AttemptFailureInfo(reason: .oomKilled, exitCode: pod.exitCode ?? 137, message: pod.message ?? "the container ran out of memory")
        }
        let code = pod.exitCode
        if pod.terminatedReason == "StartError" || pod.terminatedReason == "ContainerCannotRun" {
            // The runtime could not start the command (not found, not executable): its words
            // are the termination message, not anything the task wrote.
            return AttemptFailureInfo(
                reason: .error, exitCode: code,
                message: "the container could not start: \(pod.terminationMessage ?? pod.message ?? pod.terminatedReason!)")
        }
        return AttemptFailureInfo(
            reason: .error, exitCode: code,
            message: pod.message ?? (code.map { "the task exited with code \($0)" } ?? "the pod failed"))
    }
}
