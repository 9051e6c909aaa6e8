import NIOCore

/// The scheduler as a state machine: it is told about nodes, pods waiting for a node and
/// pods placed on nodes, and answers with decisions (bind this pod there, report that one
/// unschedulable). Its owner performs them and reports back. No I/O, no clock.
///
/// Capacity is kube-scheduler's "assumed pod" accounting: a pod counts against its node from
/// the moment a bind is decided until the kubelets report it finished or gone, so decisions
/// made before the API server confirms a binding never overcommit a node.
struct SchedulerState {
    enum Decision: Sendable, Hashable {
        case bind(PendingPod, node: String)
        case unschedulable(PendingPod, message: String)
    }

    struct NodeState {
        var info: NodeInfo
        /// Requests of the pods placed here, plus their count under `pods`.
        var used = ResourceList()
        /// The same with kube's stand-in requests (100m CPU, 200MB) for pods that ask for
        /// none, so that spreading also spreads pods without requests.
        var weighted = ResourceList()
    }

    struct Placement {
        var uid: String
        var node: String
        var requests: ResourceList
        /// True once the kubelets saw the pod on its node (not merely assumed after a bind).
        var confirmed: Bool
        var sweptOnce = false
    }

    private(set) var nodes: [String: NodeState] = [:]
    private var nodeNames: [String] = []
    private(set) var placements: [String: Placement] = [:]
    private var waiting: [String: PendingPod] = [:]
    private var active = CircularBuffer<String>()
    private var queued: Set<String> = []
    private var parked: Set<String> = []
    private var binding: Set<String> = []
    /// Set when capacity was freed or nodes changed, so parked pods deserve another look.
    private(set) var wantsRetry = false

    var waitingCount: Int { waiting.count }
    var parkedCount: Int { parked.count }

    // MARK: - Nodes

    mutating func upsertNode(_ info: NodeInfo) {
        if nodes[info.name] == nil {
            nodeNames.append(info.name)
            nodeNames.sort()
            nodes[info.name] = NodeState(info: info)
        } else {
            nodes[info.name]?.info = info
        }
        wantsRetry = true
    }

    mutating func removeNode(_ name: String) {
        nodes[name] = nil
        nodeNames.removeAll { $0 == name }
    }

    // MARK: - Pods waiting for a node

    mutating func podPending(_ pod: PendingPod) {
        // A pod whose bind is decided stays out of the queue until the bind fails.
        if let placement = placements[pod.key], placement.uid == pod.uid {
            waiting[pod.key] = pod
            return
        }
        let isNew = waiting[pod.key]?.uid != pod.uid
        waiting[pod.key] = pod
        if isNew { parked.remove(pod.key) }
        if !parked.contains(pod.key) { enqueue(pod.key) }
    }

    /// The pod left the pending set: bound (by us or anyone) or deleted.
    mutating func podNoLongerPending(_ key: String) {
        waiting[key] = nil
        parked.remove(key)
        queued.remove(key)
    }

    // MARK: - Pods on nodes

    /// The kubelets see `key` on `node`; it counts there until `podReleased`.
    mutating func podPlaced(key: String, uid: String, node: String, requests: ResourceList) {
        if let existing = placements[key], existing.uid == uid, existing.node == node {
            placements[key]?.confirmed = true
            return
        }
        release(key)
        add(Placement(uid: uid, node: node, requests: requests, confirmed: true), key: key)
    }

    /// The pod finished or is gone: its capacity is free again.
    mutating func podReleased(key: String, uid: String) {
        guard placements[key]?.uid == uid else { return }
        release(key)
    }

    mutating func bindSucceeded(_ key: String) {
        binding.remove(key)
    }

    /// The bind was refused: the reservation goes; a pod that still waits is parked and
    /// looked at again with the next retry.
    mutating func bindFailed(_ key: String) {
        binding.remove(key)
        if let placement = placements[key], !placement.confirmed { release(key) }
        if waiting[key] != nil {
            parked.insert(key)
            wantsRetry = true
        }
    }

    /// Drops reservations the kubelets never confirmed across two sweeps: the pod came and
    /// went unseen (during a relist, say), and its capacity must not stay taken forever.
    mutating func sweepUnconfirmed() {
        for (key, placement) in placements where !placement.confirmed && !binding.contains(key) {
            if placement.sweptOnce { release(key) } else { placements[key]?.sweptOnce = true }
        }
    }

    /// Moves every parked pod back to the queue (kube's "move all to active" on cluster events).
    mutating func retryParked() {
        wantsRetry = false
        for key in parked.sorted() { enqueue(key) }
        parked.removeAll()
    }

    // MARK: - Deciding

    /// The next decision, or nil when the queue is empty.
    mutating func next() -> Decision? {
        while let key = active.popFirst() {
            queued.remove(key)
            guard let pod = waiting[key], pod.schedulable, placements[key] == nil else { continue }
            var reasons: [String] = []
            var best: (name: String, score: Double, pods: Int64)?
            for name in nodeNames {
                guard let node = nodes[name] else { continue }
                let rejections = SchedulingFilter.reasons(pod, node: node.info, used: node.used)
                if !rejections.isEmpty {
                    reasons += rejections
                    continue
                }
                let score = Self.allocatedShare(node, adding: Self.weighted(pod.requests))
                let pods = node.used[ResourceList.podCount]
                if best == nil || score < best!.score || (score == best!.score && pods < best!.pods) {
                    best = (name, score, pods)
                }
            }
            if let best {
                add(Placement(uid: pod.uid, node: best.name, requests: pod.requests, confirmed: false), key: key)
                binding.insert(key)
                return .bind(pod, node: best.name)
            }
            parked.insert(key)
            // Every verdict is returned, the pod carrying the message it had before, so its
            // owner can skip rewriting an unchanged condition and still act on the verdict.
            let message = SchedulingFilter.unschedulableMessage(nodeCount: nodeNames.count, reasons: reasons)
            waiting[key]?.unschedulableMessage = message
            return .unschedulable(pod, message: message)
        }
        return nil
    }

    // MARK: - Accounting

    private mutating func enqueue(_ key: String) {
        guard queued.insert(key).inserted else { return }
        active.append(key)
    }

    private mutating func add(_ placement: Placement, key: String) {
        placements[key] = placement
        guard nodes[placement.node] != nil else { return }
        nodes[placement.node]?.used += placement.requests
        nodes[placement.node]?.used[ResourceList.podCount] += 1
        nodes[placement.node]?.weighted += Self.weighted(placement.requests)
    }

    private mutating func release(_ key: String) {
        guard let placement = placements.removeValue(forKey: key) else { return }
        wantsRetry = true
        guard nodes[placement.node] != nil else { return }
        nodes[placement.node]?.used -= placement.requests
        nodes[placement.node]?.used[ResourceList.podCount] -= 1
        nodes[placement.node]?.weighted -= Self.weighted(placement.requests)
    }

    /// kube's non-zero defaults for scoring: pods without CPU or memory requests count as
    /// 100m and 200MB, so a node full of request-less pods does not look empty.
    private static func weighted(_ requests: ResourceList) -> ResourceList {
        var weighted = ResourceList()
        weighted["cpu"] = requests["cpu"] == 0 ? 100 : requests["cpu"]
        weighted["memory"] = requests["memory"] == 0 ? 200 * 1024 * 1024 : requests["memory"]
        return weighted
    }

    /// LeastAllocated-style score: the larger of the CPU and memory shares in use once the
    /// pod is added. Lower is better.
    private static func allocatedShare(_ node: NodeState, adding pod: ResourceList) -> Double {
        func share(_ name: String) -> Double {
            let capacity = node.info.allocatable[name]
            guard capacity > 0 else { return 1 }
            return Double(node.weighted[name] + pod[name]) / Double(capacity)
        }
        return max(share("cpu"), share("memory"))
    }
}
