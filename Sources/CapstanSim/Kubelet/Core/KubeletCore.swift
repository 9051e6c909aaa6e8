import CapstanAPI
import CapstanKube
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The scheduler and the kubelets of every simulated node as one state machine: it takes
/// inputs (informer events, bind results, process exits, due timers) and returns actions
/// for its runner. It owns the single timer queue of all pods. No I/O, and time is given.
struct KubeletCore {
    /// "Now", on both clocks: the monotonic one for timers, the wall one for timestamps.
    struct Moment: Sendable {
        var instant: ContinuousClock.Instant
        var wallSeconds: Double

        static func now() -> Moment {
            Moment(instant: .now, wallSeconds: Date().timeIntervalSince1970)
        }

        var timestamp: String { CapstanAPI.Timestamp(secondsSince1970: wallSeconds.rounded(.down)).rfc3339 }

        func seconds(since text: String) -> Double? {
            CapstanAPI.Timestamp(rfc3339: text).map { wallSeconds - $0.secondsSince1970 }
        }

        func after(_ seconds: Double) -> ContinuousClock.Instant {
            instant + .nanoseconds(Int64((seconds * 1e9).rounded()))
        }
    }

    enum TimerKind: Sendable, Hashable {
        /// A scripted pod's duration has passed.
        case finish
        /// `activeDeadlineSeconds` has passed.
        case deadline
        /// A stopping process ignored SIGTERM for its grace period.
        case escalate
        /// An image pull that fails: the next pull, or the switch to `ImagePullBackOff`.
        case imagePull
        case schedulerRetry
        case sweep
        /// A node the autoscaler provisions is ready to join; the key is its name.
        case scaleUp
    }

    struct TimerEntry: Sendable {
        var key: String
        var uid: String
        var kind: TimerKind
    }

    /// Why a running pod is being stopped.
    enum StopReason: Sendable, Hashable {
        case deadline
        case deletion
    }

    /// One pod this kubelet runs, from start until it leaves our nodes.
    struct PodRun: Sendable {
        enum State: Sendable, Hashable {
            /// Scripted pods carry how they will end.
            case running(planned: PodOutcome?)
            /// `main` cannot be created yet (image pull, config, volumes); an empty reason:
            /// waiting for the Secrets and ConfigMaps to be listed, nothing reported yet.
            case waiting(reason: String, message: String?)
            /// `main` ended, sidecars run on until the pod is deleted or its deadline passes.
            case mainExited
            case stopping(StopReason)
            case finished
        }

        var pod: BoundPod
        var startedAt: String
        var hostIP: String
        var podIP: String
        var state: State
        /// The terminal status written, kept to repeat it with a delete if the pod is
        /// deleted after it finished.
        var finalStatus: JSONValue?
        var deleteRequested = false
        /// Failed pulls so far, for the kubelet's back-off (10 s doubling to 5 min).
        var imagePullFailures = 0
        /// How `main` ended, when sidecars outlive it.
        var mainEnd: (outcome: PodOutcome, at: String)?

        var reference: PodReference { PodReference(namespace: pod.namespace, name: pod.name, uid: pod.uid) }
        var builder: PodStatusBuilder { PodStatusBuilder(pod: pod, hostIP: hostIP, podIP: podIP, startedAt: startedAt) }
    }

    /// How long parked pods wait before the scheduler looks at them again after a change.
    static let retryDelay = 0.1
    static let sweepInterval = 30.0

    /// Our nodes, by name: the configured ones, then those the autoscaler adds.
    var nodeIndexes: [String: Int]
    var scheduler = SchedulerState()
    /// nil when the core was built without its pool (the tests of the scheduler alone).
    var autoscaler: SimulatedAutoscaler?
    // Internal rather than private: the pod lifecycle lives in an extension in its own file.
    var runs: [String: PodRun] = [:]
    var timers = TimerQueue<TimerEntry>()
    var podCounters: [String: Int] = [:]
    var nodeIPs: [String: String] = [:]
    /// Keys of every Secret and ConfigMap, by `ConfigObject.key`.
    var configObjects: [String: Set<String>] = [:]
    var configSynced = false
    private var retryArmed = false
    private var sweepArmed = false

    init(nodeNames: [String], pool: NodePoolConfiguration? = nil) {
        nodeIndexes = Dictionary(uniqueKeysWithValues: nodeNames.enumerated().map { ($1, $0) })
        autoscaler = pool.map(SimulatedAutoscaler.init(pool:))
    }

    var nextDeadline: ContinuousClock.Instant? { timers.nextDeadline }

    mutating func handle(_ input: KubeletInput, at moment: Moment) -> [KubeletAction] {
        var actions: [KubeletAction] = []
        if !sweepArmed {
            sweepArmed = true
            timers.schedule(TimerEntry(key: "", uid: "", kind: .sweep), at: moment.after(Self.sweepInterval))
        }
        switch input {
        case .node(let event):
            nodeChanged(event)
        case .pending(.added(_, let pod)), .pending(.updated(_, _, let pod)):
            scheduler.podPending(pod)
        case .pending(.deleted(let key, _)):
            scheduler.podNoLongerPending(key)
            autoscaler?.forget(key)
        case .bound(let event):
            podChanged(event, at: moment, &actions)
        case .config(let event):
            configChanged(event, at: moment, &actions)
        case .configSynced:
            configSynced = true
            recheckWaiting(namespace: nil, at: moment, &actions)
        case .bindFinished(let key, _, let result):
            if result == .bound { scheduler.bindSucceeded(key) } else { scheduler.bindFailed(key) }
        case .processExited(let exit):
            processExited(exit, at: moment, &actions)
        case .processFailedToStart(let key, let uid, let message):
            if var run = runs[key], run.pod.uid == uid, run.state != .finished {
                finish(&run, .startFailed(message: message), at: moment, &actions)
            }
        case .processConfigFailed(let key, let uid, let message):
            if var run = runs[key], run.pod.uid == uid, case .running = run.state {
                waitForConfig(&run, reason: "CreateContainerConfigError", message: message, at: moment, &actions)
            }
        case .workerEnded(let key, let uid, let outcome):
            if var run = runs[key], run.pod.uid == uid, case .running = run.state {
                finish(&run, outcome, at: moment, &actions)
            }
        case .timer:
            for entry in timers.popDue(moment.instant) { fire(entry, at: moment, &actions) }
        }
        schedule(at: moment, &actions)
        return actions
    }

    // MARK: - Nodes and scheduling

    private mutating func nodeChanged(_ event: InformerEvent<NodeInfo>) {
        switch event {
        case .added(_, let node), .updated(_, _, let node):
            guard nodeIndexes[node.name] != nil else { return }
            nodeIPs[node.name] = node.internalIP
            scheduler.upsertNode(node)
        case .deleted(_, let node):
            scheduler.removeNode(node.name)
        }
    }

    private mutating func schedule(at moment: Moment, _ actions: inout [KubeletAction]) {
        while let decision = scheduler.next() {
            switch decision {
            case .bind(let pod, let node):
                actions.append(.cancelStatusWrite(key: pod.key))
                actions.append(.bind(PodReference(namespace: pod.namespace, name: pod.name, uid: pod.uid), node: node))
            case .unschedulable(let pod, let message):
                // kube-scheduler writes the condition again only when its message changes.
                if message != pod.unschedulableMessage {
                    let condition: JSONValue = [
                        "type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": .string(message),
                        "lastProbeTime": nil, "lastTransitionTime": .string(pod.unschedulableSince ?? moment.timestamp),
                    ]
                    actions.append(.writeStatus(PodReference(namespace: pod.namespace, name: pod.name, uid: pod.uid),
                                                status: ["conditions": [condition]], deleteAfter: false))
                }
                considerScaleUp(pod, at: moment, &actions)
            }
        }
        if scheduler.wantsRetry && !retryArmed && scheduler.parkedCount > 0 {
            retryArmed = true
            timers.schedule(TimerEntry(key: "", uid: "", kind: .schedulerRetry), at: moment.after(Self.retryDelay))
        }
    }

    // MARK: - Timers

    private mutating func fire(_ entry: TimerEntry, at moment: Moment, _ actions: inout [KubeletAction]) {
        switch entry.kind {
        case .schedulerRetry:
            retryArmed = false
            scheduler.retryParked()
            return
        case .sweep:
            scheduler.sweepUnconfirmed()
            timers.schedule(TimerEntry(key: "", uid: "", kind: .sweep), at: moment.after(Self.sweepInterval))
            return
        case .scaleUp:
            return nodeProvisioned(entry.key, &actions)
        default:
            break
        }
        guard var run = runs[entry.key], run.pod.uid == entry.uid else { return }
        switch (entry.kind, run.state) {
        case (.finish, .running(let planned?)):
            finish(&run, planned, at: moment, &actions)
        case (.deadline, .running), (.deadline, .waiting), (.deadline, .mainExited):
            stop(&run, .deadline, at: moment, &actions)
        case (.imagePull, .waiting):
            imagePullTick(&run, at: moment, &actions)
        case (.escalate, .stopping):
            actions.append(.signalProcess(key: entry.key, uid: entry.uid, signal: SIGKILL))
        default:
            break
        }
    }
}
