import CapstanAPI
import Foundation

/// What a pending pod asks of the simulated cluster autoscaler, read from its
/// `sim.capstan.dev/scale-up` annotation.
enum ScaleUpRequest: Sendable, Hashable {
    /// A node that fits the pod joins the pool this many seconds after the scale-up.
    case after(Double)
    /// The autoscaler looks at the pod and declines to add a node.
    case never

    static let annotation = "sim.capstan.dev/scale-up"

    /// nil without the annotation, or with a value that is neither `never` nor a Go duration:
    /// a pending pod has no container whose start could fail to say so, so such a pod is
    /// left to the scheduler alone.
    init?(annotations: [String: String]) {
        guard let text = annotations[Self.annotation]?.trimmingCharacters(in: .whitespaces) else { return nil }
        if text == "never" {
            self = .never
        } else if let duration = try? SpecDuration(text), duration.seconds >= 0 {
            self = .after(duration.seconds)
        } else {
            return nil
        }
    }
}

/// Kubernetes Cluster Autoscaler over the simulated pool, seen as one node group
/// (`sim-pool`). A pod the scheduler finds unschedulable and that carries a scale-up
/// annotation gets CA's verdict as an Event on the pod, once: `TriggeredScaleUp` with a new
/// node to register after the annotation's delay, or `NotTriggerScaleUp` with CA's reasons.
/// No I/O, no clock: the kubelet core turns verdicts into actions and timers.
struct SimulatedAutoscaler {
    static let nodeGroup = "sim-pool"
    /// How far past its configured size the group may grow, so `--nodes 4` reads `max: 104`.
    static let headroom = 100
    /// CA's `MaxLimitReachedReason`, also the reason given for `never` when a node of the
    /// pool would have fitted the pod: the usual cause of a declined scale-up in practice.
    static let maxSizeReached = "max node group size reached"

    enum Verdict: Sendable {
        case triggered(PodEvent, node: NodeObjects, after: Double)
        case declined(PodEvent)
    }

    let pool: NodePoolConfiguration
    let taints: [Taint]
    let maxSize: Int
    /// Nodes in the group, counting those still being provisioned (CA's target size).
    private(set) var targetSize: Int
    /// The pod (by key) whose verdict was recorded, by uid: one Event per pod.
    private var recorded: [String: String] = [:]
    /// Nodes whose delay is running, by name.
    private var provisioning: [String: NodeObjects] = [:]

    init(pool: NodePoolConfiguration) {
        self.pool = pool
        // The configuration was validated before any core was built.
        taints = (try? pool.parsedTaints()) ?? []
        targetSize = pool.count
        maxSize = pool.count + Self.headroom
    }

    /// CA's verdict on a pod the scheduler could not place; nil when it asks for none, or
    /// had its verdict already. A real CA re-records its Events on every loop (about every
    /// 10 s); once is enough for anyone reading them.
    mutating func consider(_ pod: PendingPod) -> Verdict? {
        guard let request = pod.scaleUp, recorded[pod.key] != pod.uid else { return nil }
        recorded[pod.key] = pod.uid
        // The new node continues the pool's numbering and has its labels and taints: what
        // the pod needs beyond capacity is never granted, as CA adds nodes from a template.
        var node = NodeObjects(name: "\(pool.namePrefix)-\(targetSize)", index: targetSize, configuration: pool, taints: taints)
        switch request {
        case .never:
            let reasons = SchedulingFilter.reasons(pod, node: node.info, used: ResourceList())
            return .declined(Self.notTriggered(reasons.isEmpty ? [Self.maxSizeReached] : reasons))
        case .after(let seconds):
            node.capacityOverrides = Self.capacity(for: pod.requests, beyond: node.info.allocatable)
            let reasons = SchedulingFilter.reasons(pod, node: node.info, used: ResourceList())
            guard reasons.isEmpty else { return .declined(Self.notTriggered(reasons)) }
            guard targetSize < maxSize else { return .declined(Self.notTriggered([Self.maxSizeReached])) }
            let event = Self.event("TriggeredScaleUp",
                                   "pod triggered scale-up: [{\(Self.nodeGroup) \(targetSize)->\(targetSize + 1) (max: \(maxSize))}]")
            targetSize += 1
            provisioning[node.name] = node
            return .triggered(event, node: node, after: seconds)
        }
    }

    /// The pod left the pending set (bound or deleted); a new pod of that name gets its own verdict.
    mutating func forget(_ key: String) {
        recorded[key] = nil
    }

    /// The node whose delay has passed, to register now.
    mutating func provisioned(_ name: String) -> NodeObjects? {
        provisioning.removeValue(forKey: name)
    }

    /// CA's `ReasonsMessage`: each reason counted once per node group that gave it, and
    /// there is one group. CA's order is a Go map's; text order keeps the message stable.
    private static func notTriggered(_ reasons: [String]) -> PodEvent {
        let counted = Set(reasons).map { "1 \($0)" }.sorted()
        return event("NotTriggerScaleUp", "pod didn't trigger scale-up: \(counted.joined(separator: ", "))")
    }

    /// As client-go's legacy recorder writes it for CA: source and reporting component
    /// `cluster-autoscaler`, no host, the Pod itself as the involved object.
    private static func event(_ reason: String, _ message: String) -> PodEvent {
        PodEvent(type: "Normal", reason: reason, message: message, component: "cluster-autoscaler", host: nil, fieldPath: nil)
    }

    /// The capacity a pool node lacks for `requests`, as quantities: every requested
    /// resource raised to what the pod asks (a machine type big enough for it).
    static func capacity(for requests: ResourceList, beyond allocatable: ResourceList) -> [String: String] {
        var overrides: [String: String] = [:]
        for (name, amount) in requests.amounts where name != ResourceList.podCount && amount > allocatable[name] {
            overrides[name] = quantity(amount, of: name)
        }
        return overrides
    }

    /// Writes an amount in kube's units back as a quantity: millicores for CPU, binary
    /// suffixes where bytes divide evenly, plain integers for the rest.
    static func quantity(_ amount: Int64, of name: String) -> String {
        if name == "cpu" { return amount % 1000 == 0 ? "\(amount / 1000)" : "\(amount)m" }
        if name == "memory" || name == "ephemeral-storage" || name.hasPrefix("hugepages-") {
            for (suffix, factor) in [("Gi", Int64(1) << 30), ("Mi", Int64(1) << 20), ("Ki", Int64(1) << 10)] where amount % factor == 0 {
                return "\(amount / factor)\(suffix)"
            }
        }
        return "\(amount)"
    }
}
