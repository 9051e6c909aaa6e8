import CapstanAPI

/// Keeps a `map.workers` node's worker pods as its items need them (SPEC §15): starts up to
/// `replicas` while items wait, replaces a worker that failed, deletes one idle past
/// `idleTimeout`, and holds the items back while a worker may run one this controller has
/// not heard of. The pods go when the node ends, with its other pods.
struct MapWorkerPool {
    let stepper: UnitStepper
    let workers: MapWorkers

    /// How long a running worker pod may go without polling a controller that has just
    /// started (or since it started itself) before it is taken for lost and replaced.
    static let contactGrace = 30.0
    /// Items handed out per worker: one running and one waiting, so a worker that finishes
    /// one starts the next without waiting for the controller's next look.
    static let itemsPerWorker = 2

    private var node: CompiledNode { stepper.node }
    private var now: Timestamp { stepper.now }
    private var view: WorkerPoolView {
        stepper.facts.workerPools[node.name] ?? WorkerPoolView(listeningSince: stepper.facts.dispatcherStartedAt ?? stepper.now)
    }

    /// Most items handed out at once.
    var itemLimit: Int { min(node.map?.concurrency ?? Int.max, workers.replicas * Self.itemsPerWorker) }

    /// The node's worker pods by slot.
    func workerPods(_ pods: PodList) -> [Int: ObservedPod] {
        let metadata = stepper.builder.metadata
        var bySlot: [Int: ObservedPod] = [:]
        for pod in pods where pod.index == nil && !pod.isWorkerItem {
            if let slot = PodNaming.workerSlot(pod.name, workflow: metadata.name, uid: metadata.uid, node: node.name) {
                bySlot[slot] = pod
            }
        }
        return bySlot
    }

    /// False while a running worker pod has not polled this controller: it may hold an item
    /// the status does not show, which must not be handed to another worker, nor taken for
    /// lost. A worker silent past `contactGrace` is deleted, and the items wait until it is gone.
    func itemsMayMove(_ workerPods: [Int: ObservedPod], output: inout StepOutput) -> Bool {
        var mayMove = true
        for pod in workerPods.values where (pod.phase == .running || pod.phase == .unknown) && view.lastPoll[pod.name] == nil {
            mayMove = false
            let since = max(view.listeningSince, pod.startedAt ?? pod.createdAt ?? view.listeningSince)
            if now - since < Self.contactGrace {
                output.wake(at: since + Self.contactGrace)
            } else if !pod.isDeleting {
                output.actions.append(.deletePod(name: pod.name, reason:
                    "worker pod has not polled the controller at \(stepper.config.dispatchURL) for \(SpecDuration(seconds: Self.contactGrace))"))
            }
        }
        return mayMove
    }

    /// Starts, replaces and retires worker pods. `rendered`: the node rendered for an item,
    /// for the pods' shared settings. Fails the node (returns its message) when its workers
    /// cannot run.
    func update(_ workerPods: [Int: ObservedPod], map: inout MapStatus, status: inout NodeStatus, rendered: PodBuilder.Rendered,
                output: inout StepOutput) -> String? {
        var live = 0
        // Failures counted of pods that are gone need no remembering.
        map.countedWorkerFailures.formIntersection(workerPods.values.map(Self.identity(of:)))
        for (slot, pod) in workerPods.sorted(by: { $0.key < $1.key }) {
            if pod.isDeleting { continue }
            switch stepper.config.classifier.outcome(of: pod, declaredOutputs: [], now: now) {
            case .running:
                output.wake(at: stepper.config.classifier.nextCheck(of: pod))
                live += 1
                retireIfIdle(pod, duePending: duePending(map), output: &output)
            case .succeeded:
                output.actions.append(.deletePod(name: pod.name, reason: "the worker stopped"))
            case .failed(let info):
                output.actions.append(.deletePod(name: pod.name, reason: "the worker failed"))
                // Seen again before its deletion shows: counted and reported once.
                guard map.countedWorkerFailures.insert(Self.identity(of: pod)).inserted else { continue }
                let message = "worker pod \(pod.name) (slot \(slot)) failed: \(info.reason.rawValue)"
                    + (info.message.map { ": \($0)" } ?? info.exitCode.map { ": exited with code \($0)" } ?? "")
                map.workerFailures += 1
                output.event(.warning, "WorkerFailed", "map node \(node.name): \(message)", node: node.name)
                if [.imagePullBackOff, .configError, .podRejected].contains(info.reason) {
                    return "the workers cannot run: \(message)"
                }
                if map.workerFailures > stepper.config.systemRetries + workers.replicas {
                    return "\(map.workerFailures) worker pods failed, more than systemRetries + replicas allows; last: \(message)"
                }
            }
        }
        let wanted = min(workers.replicas, node.map?.concurrency ?? Int.max, map.running + duePending(map))
        var slot = 0
        while live < wanted, output.startBudget > 0, status.mayCreatePods(now: now, output: &output) {
            while workerPods[slot] != nil { slot += 1 }
            let request = WorkerPodBuilder(builder: stepper.builder).pod(for: node, slot: slot, rendered: rendered)
            switch stepper.facts.podCreates[request.name] {
            case nil:
                output.actions.append(.createPod(request))
            case .created:
                break
            case .rejected(let message):
                return "the API server refused the worker pod \(request.name): \(message)"
            case .quotaExceeded(let message):
                status.recordCreateRefusal(CreateRefusal(quota: true, message: message), node: node.name, now: now, output: &output)
                return nil
            case .unavailable(let message):
                status.recordCreateRefusal(CreateRefusal(quota: false, message: message), node: node.name, now: now, output: &output)
                return nil
            }
            output.startBudget -= 1
            live += 1
            slot += 1
        }
        return nil
    }

    /// A worker pod as the failures counted know it: its name, and its creation, since a
    /// replacement may take the same name.
    private static func identity(of pod: ObservedPod) -> String {
        "\(pod.name)@\(Int(pod.createdAt?.secondsSince1970 ?? 0))"
    }

    /// Items waiting that may start now (not waiting out a retry's backoff).
    private func duePending(_ map: MapStatus) -> Int {
        let backingOff = map.retrying.values.count { ($0.retryAt.map { $0 > now } ?? false) }
        return max(0, map.items.count(of: .pending) - backingOff)
    }

    /// A worker with nothing to run, when nothing waits to be run, goes after `idleTimeout`.
    private func retireIfIdle(_ pod: ObservedPod, duePending: Int, output: inout StepOutput) {
        guard duePending == 0, let idle = view.idleSince[pod.name] else { return }
        let deadline = idle + workers.idleTimeout.seconds
        if now >= deadline {
            output.actions.append(.deletePod(name: pod.name, reason: "the worker was idle for \(workers.idleTimeout)"))
        } else {
            output.wake(at: deadline)
        }
    }
}
