import CapstanAPI
import CapstanKube
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The kubelet half of the core: starting, stopping and finishing the pods on our nodes.
extension KubeletCore {
    mutating func podChanged(_ event: InformerEvent<BoundPod>, at moment: Moment, _ actions: inout [KubeletAction]) {
        switch event {
        case .added(_, let pod), .updated(_, _, let pod):
            scheduler.podPlaced(key: pod.key, uid: pod.uid, node: pod.node, requests: pod.requests)
            if var run = runs[pod.key] {
                if run.pod.uid == pod.uid {
                    run.pod = pod
                    if pod.terminating { stop(&run, .deletion, at: moment, &actions) } else { runs[pod.key] = run }
                    return
                }
                // Same name, new pod: the old one is gone.
                abandon(run, &actions)
                runs[pod.key] = nil
            }
            guard !pod.isTerminal else { return }
            if pod.terminating && pod.phase == "Pending" {
                // Deleted before it ever ran: nothing to stop, only the deletion to finish.
                var run = newRun(pod)
                run.state = .finished
                run.deleteRequested = true
                runs[pod.key] = run
                actions.append(.delete(run.reference))
                return
            }
            start(pod, at: moment, &actions)
            if pod.terminating, var run = runs[pod.key] { stop(&run, .deletion, at: moment, &actions) }
        case .deleted(_, let pod):
            scheduler.podReleased(key: pod.key, uid: pod.uid)
            if let run = runs[pod.key], run.pod.uid == pod.uid {
                abandon(run, &actions)
                runs[pod.key] = nil
            }
        }
    }

    mutating func processExited(_ exit: ProcessSupervisor.Exit, at moment: Moment, _ actions: inout [KubeletAction]) {
        guard var run = runs[exit.key], run.pod.uid == exit.uid else { return }
        switch run.state {
        case .running:
            finish(&run, .exited(code: exit.exitCode, message: exit.message), at: moment, &actions)
        case .stopping(.deadline):
            finish(&run, .deadlineExceeded(exitCode: exit.exitCode), at: moment, &actions)
        case .stopping(.deletion):
            finish(&run, .deleted(exitCode: exit.exitCode), at: moment, &actions)
        case .finished, .waiting, .mainExited:
            break
        }
    }

    // MARK: - Lifecycle

    private mutating func newRun(_ pod: BoundPod) -> PodRun {
        let index = nodeIndexes[pod.node] ?? 0
        let counter = podCounters[pod.node, default: 0]
        podCounters[pod.node] = counter + 1
        return PodRun(pod: pod, startedAt: pod.startTime ?? "", hostIP: nodeIPs[pod.node] ?? NodeObjects.internalIP(index: index),
                      podIP: pod.podIP ?? NodeObjects.podIP(nodeIndex: index, counter: counter), state: .running(planned: nil))
    }

    /// Starts a pod seen on our node for the first time — or resumes one already running
    /// when the kubelets (re)started, from its `status.startTime`.
    private mutating func start(_ pod: BoundPod, at moment: Moment, _ actions: inout [KubeletAction]) {
        var run = newRun(pod)
        if run.startedAt.isEmpty { run.startedAt = moment.timestamp }
        if pod.phase != "Running", holdBack(&run, at: moment, &actions) { return }
        launch(&run, at: moment, &actions)
    }

    /// Creates `main`: a scripted run with its timers, or a local process. A pod already
    /// `Running` when the kubelets (re)started resumes from its `status.startTime`.
    mutating func launch(_ run: inout PodRun, waited: Bool = false, at moment: Moment, _ actions: inout [KubeletAction]) {
        let pod = run.pod
        let resumed = pod.phase == "Running"
        let elapsed = waited ? 0 : max(0, pod.startTime.flatMap { moment.seconds(since: $0) } ?? 0)
        switch pod.run {
        case .invalid(let message):
            finish(&run, .startFailed(message: message), at: moment, &actions)
        case .script(let script):
            let remaining = max(0, script.duration - elapsed)
            if let deadline = pod.activeDeadlineSeconds, Double(deadline) - elapsed < remaining {
                // The deadline comes first: the pod runs until then and is stopped.
                let untilDeadline = max(0, Double(deadline) - elapsed)
                run.state = .running(planned: script.outcome)
                guard untilDeadline > 0 else { return stop(&run, .deadline, at: moment, &actions) }
                timers.schedule(TimerEntry(key: pod.key, uid: pod.uid, kind: .deadline), at: moment.after(untilDeadline))
            } else if remaining == 0 {
                // Nothing to see running: report the end directly, as a kubelet that syncs
                // after a fast container does.
                return finish(&run, script.outcome, at: moment, &actions)
            } else {
                run.state = .running(planned: script.outcome)
                timers.schedule(TimerEntry(key: pod.key, uid: pod.uid, kind: .finish), at: moment.after(remaining))
            }
            runs[pod.key] = run
            if !resumed { actions.append(.writeStatus(run.reference, status: run.builder.running(), deleteAfter: false)) }
        case .worker(let worker):
            guard !resumed else {
                // Its loop belonged to an earlier kubelet: the container is lost, and the item with it.
                return finish(&run, .containerLost, at: moment, &actions)
            }
            run.state = .running(planned: nil)
            runs[pod.key] = run
            actions.append(.writeStatus(run.reference, status: run.builder.running(), deleteAfter: false))
            actions.append(.startWorker(run.reference, worker))
            if let deadline = pod.activeDeadlineSeconds {
                timers.schedule(TimerEntry(key: pod.key, uid: pod.uid, kind: .deadline), at: moment.after(Double(deadline) - elapsed))
            }
        case .process(let command):
            guard !resumed else {
                // Its process belonged to an earlier kubelet: the container is lost.
                return finish(&run, .containerLost, at: moment, &actions)
            }
            // A pod that waited for its config starts running only now.
            run.state = .running(planned: nil)
            runs[pod.key] = run
            actions.append(.startProcess(pod, command))
            actions.append(.writeStatus(run.reference, status: run.builder.running(), deleteAfter: false))
            if let deadline = pod.activeDeadlineSeconds {
                timers.schedule(TimerEntry(key: pod.key, uid: pod.uid, kind: .deadline), at: moment.after(Double(deadline)))
            }
        }
    }

    /// Ends a running pod early. A process gets SIGTERM and, after its grace period,
    /// SIGKILL; a scripted pod ends at once as a killed container would.
    mutating func stop(_ run: inout PodRun, _ reason: StopReason, at moment: Moment, _ actions: inout [KubeletAction]) {
        defer { runs[run.pod.key] = run }
        switch run.state {
        case .running:
            if case .process = run.pod.run {
                run.state = .stopping(reason)
                actions.append(.signalProcess(key: run.pod.key, uid: run.pod.uid, signal: SIGTERM))
                let grace = Double(max(0, run.pod.gracePeriodSeconds))
                timers.schedule(TimerEntry(key: run.pod.key, uid: run.pod.uid, kind: .escalate), at: moment.after(grace))
            } else {
                finish(&run, reason == .deadline ? .deadlineExceeded(exitCode: 137) : .deleted(exitCode: 143), at: moment, &actions)
            }
        case .waiting, .mainExited:
            // Nothing of main's runs any more (or yet): the pod ends at once.
            finish(&run, reason == .deadline ? .deadlineExceeded(exitCode: 137) : .deleted(exitCode: 143), at: moment, &actions)
        case .stopping:
            break
        case .finished:
            // Deleted after it finished: repeat the final status, this time with the delete.
            if run.pod.terminating && !run.deleteRequested {
                run.deleteRequested = true
                if let status = run.finalStatus {
                    actions.append(.writeStatus(run.reference, status: status, deleteAfter: true))
                } else {
                    actions.append(.delete(run.reference))
                }
            }
        }
    }

    /// Reports the pod's end. A pod being deleted is then removed (grace period 0).
    mutating func finish(_ run: inout PodRun, _ outcome: PodOutcome, at moment: Moment, _ actions: inout [KubeletAction]) {
        // Whatever ended the pod, its worker loop (if any) takes no more items.
        if case .worker = run.pod.run { actions.append(.stopWorker(key: run.pod.key, uid: run.pod.uid)) }
        if sidecarsOutlive(&run, outcome, at: moment, &actions) { return }
        let status = run.builder.finished(outcome, at: moment.timestamp, afterMain: run.mainEnd)
        run.state = .finished
        run.finalStatus = status
        run.deleteRequested = run.pod.terminating
        runs[run.pod.key] = run
        actions.append(.writeStatus(run.reference, status: status, deleteAfter: run.pod.terminating))
    }

    /// The pod left our nodes (deleted, or finished by someone else): kill what still runs.
    private func abandon(_ run: PodRun, _ actions: inout [KubeletAction]) {
        if case .worker = run.pod.run { return actions.append(.stopWorker(key: run.pod.key, uid: run.pod.uid)) }
        guard case .process = run.pod.run else { return }
        switch run.state {
        case .running, .stopping:
            actions.append(.signalProcess(key: run.pod.key, uid: run.pod.uid, signal: SIGKILL))
        case .finished, .waiting, .mainExited:
            break
        }
    }
}
