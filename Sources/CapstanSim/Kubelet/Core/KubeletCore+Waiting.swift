import CapstanAPI
import CapstanKube

/// The kubelet before and after `main` runs: images that do not pull, Secrets and
/// ConfigMaps that do not exist yet, and sidecars that keep a pod running once `main` ended.
extension KubeletCore {
    /// The kubelet's image back-off: 10 s, doubling, at most 5 min.
    static func imagePullBackOff(failures: Int) -> Double { min(300, 10 * Double(1 << min(max(failures - 1, 0), 5))) }
    /// How long `ErrImagePull` shows before the next sync reports the back-off.
    static let errImagePullShown = 1.0

    /// Decides whether `main` must wait; if so records why (status, events, timers) and
    /// returns true. Image pulls come first, as the kubelet pulls before it builds the
    /// container's config; volumes are mounted before either.
    mutating func holdBack(_ run: inout PodRun, at moment: Moment, _ actions: inout [KubeletAction]) -> Bool {
        let pod = run.pod
        let firstWait: Bool
        if case .waiting = run.state { firstWait = false } else { firstWait = true }
        if firstWait, let deadline = pod.activeDeadlineSeconds, pod.imagePullFails || !pod.config.isEmpty {
            timers.schedule(TimerEntry(key: pod.key, uid: pod.uid, kind: .deadline), at: moment.after(Double(deadline)))
        }
        if pod.imagePullFails {
            if firstWait { pullFailed(&run, at: moment, &actions) }
            return true
        }
        guard !pod.config.isEmpty else { return false }
        guard configSynced else {
            run.state = .waiting(reason: "", message: nil)
            runs[pod.key] = run
            return true
        }
        let problem = pod.config.problem(namespace: pod.namespace) { kind, name in
            configObjects[ConfigObject.key(kind, pod.namespace, name)]
        }
        guard let problem else { return false }
        waitForConfig(&run, reason: problem.reason, message: problem.message, at: moment, &actions)
        return true
    }

    /// `main` waits for its config (reported once per change of reason or message). Also
    /// what the process kubelet reports when, creating the container, it finds what the keys
    /// it watches could not show: a Secret deleted since, or a secret file it cannot write.
    /// The container waits until the config changes, as for a missing Secret.
    mutating func waitForConfig(_ run: inout PodRun, reason: String, message: String?, at moment: Moment,
                                        _ actions: inout [KubeletAction]) {
        if run.state != .waiting(reason: reason, message: message) {
            run.state = .waiting(reason: reason, message: message)
            // A volume that cannot mount leaves the status at ContainerCreating, with no message:
            // only its FailedMount Event says why.
            let mountFailed = reason == "ContainerCreating"
            actions.append(.writeStatus(run.reference, status: run.builder.waiting(reason: reason, message: mountFailed ? nil : message,
                                                                                  at: moment.timestamp),
                                        deleteAfter: false))
            if let message {
                let event = mountFailed ? kubeletEvent(run, "Warning", "FailedMount", message)
                                        : kubeletEvent(run, "Warning", "Failed", "Error: \(message)")
                actions.append(.recordEvent(run.reference, event))
            }
        }
        runs[run.pod.key] = run
    }

    mutating func configChanged(_ event: InformerEvent<ConfigObject>, at moment: Moment, _ actions: inout [KubeletAction]) {
        switch event {
        case .added(_, let object), .updated(_, _, let object):
            configObjects[object.key] = object.keys
            recheckWaiting(namespace: object.namespace, at: moment, &actions)
        case .deleted(_, let object):
            // A container already created keeps its config; only waiting ones see the change.
            configObjects[object.key] = nil
            recheckWaiting(namespace: object.namespace, at: moment, &actions)
        }
    }

    /// Pods waiting for config look again; those whose config is now complete start.
    mutating func recheckWaiting(namespace: String?, at moment: Moment, _ actions: inout [KubeletAction]) {
        for key in runs.keys {
            guard var run = runs[key], namespace == nil || run.pod.namespace == namespace,
                  case .waiting = run.state, !run.pod.imagePullFails else { continue }
            if !holdBack(&run, at: moment, &actions) { launch(&run, waited: true, at: moment, &actions) }
        }
    }

    /// A pull fails: `ErrImagePull` with the runtime's error, then the back-off.
    private mutating func pullFailed(_ run: inout PodRun, at moment: Moment, _ actions: inout [KubeletAction]) {
        run.imagePullFailures += 1
        let image = ImageReference(run.mainImage)
        let error = "rpc error: code = NotFound desc = failed to pull and unpack image \"\(image.normalized)\": failed to "
            + "resolve reference \"\(image.normalized)\": \(image.normalized): not found"
        setWaiting(&run, "ErrImagePull", error, at: moment, &actions)
        actions.append(.recordEvent(run.reference, kubeletEvent(run, "Warning", "Failed", "Failed to pull image \"\(image.withTag)\": \(error)")))
        actions.append(.recordEvent(run.reference, kubeletEvent(run, "Warning", "Failed", "Error: ErrImagePull")))
        timers.schedule(TimerEntry(key: run.pod.key, uid: run.pod.uid, kind: .imagePull), at: moment.after(Self.errImagePullShown))
    }

    /// The timer of a failing pull: from `ErrImagePull` to the back-off, and from the
    /// back-off to the next (failing) pull.
    mutating func imagePullTick(_ run: inout PodRun, at moment: Moment, _ actions: inout [KubeletAction]) {
        guard case .waiting(let reason, _) = run.state else { return }
        if reason == "ErrImagePull" {
            let message = "Back-off pulling image \"\(ImageReference(run.mainImage).withTag)\""
            setWaiting(&run, "ImagePullBackOff", message, at: moment, &actions)
            actions.append(.recordEvent(run.reference, kubeletEvent(run, "Normal", "BackOff", message)))
            let wait = Self.imagePullBackOff(failures: run.imagePullFailures) - Self.errImagePullShown
            timers.schedule(TimerEntry(key: run.pod.key, uid: run.pod.uid, kind: .imagePull), at: moment.after(wait))
        } else {
            pullFailed(&run, at: moment, &actions)
        }
    }

    private mutating func setWaiting(_ run: inout PodRun, _ reason: String, _ message: String, at moment: Moment,
                                     _ actions: inout [KubeletAction]) {
        run.state = .waiting(reason: reason, message: message)
        runs[run.pod.key] = run
        actions.append(.writeStatus(run.reference, status: run.builder.waiting(reason: reason, message: message, at: moment.timestamp),
                                    deleteAfter: false))
    }

    /// With `sidecar: keep-running`, `main` ending leaves the pod `Running`; returns true then.
    mutating func sidecarsOutlive(_ run: inout PodRun, _ outcome: PodOutcome, at moment: Moment,
                                  _ actions: inout [KubeletAction]) -> Bool {
        guard run.pod.keepsSidecarsRunning, run.pod.containers.count > 1, !run.pod.terminating else { return false }
        guard case .running = run.state else { return false }
        switch outcome {
        case .exited, .oomKilled: break
        default: return false
        }
        run.state = .mainExited
        run.mainEnd = (outcome, moment.timestamp)
        runs[run.pod.key] = run
        actions.append(.writeStatus(run.reference, status: run.builder.mainExited(outcome, at: moment.timestamp), deleteAfter: false))
        return true
    }

    private func kubeletEvent(_ run: PodRun, _ type: String, _ reason: String, _ message: String) -> PodEvent {
        let main = run.pod.containers.indices.contains(run.pod.mainContainer) ? run.pod.containers[run.pod.mainContainer].name : "main"
        return PodEvent(type: type, reason: reason, message: message, component: "kubelet", host: run.pod.node,
                        fieldPath: "spec.containers{\(main)}")
    }
}

extension KubeletCore.PodRun {
    var mainImage: String {
        pod.containers.indices.contains(pod.mainContainer) ? pod.containers[pod.mainContainer].image : ""
    }
}
