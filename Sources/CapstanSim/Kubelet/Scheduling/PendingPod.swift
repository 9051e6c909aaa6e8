import CapstanAPI

/// What the scheduler keeps of a pod that has no node yet.
struct PendingPod: Sendable, Hashable {
    var key: String
    var namespace: String
    var name: String
    var uid: String
    var requests: ResourceList
    var affinity: NodeAffinity
    var tolerations: [Toleration]
    /// Pods held back by `spec.schedulingGates`, or being deleted, are not scheduled.
    var schedulable: Bool
    /// The pod's current `PodScheduled=False` condition, so an unchanged verdict is not rewritten.
    var unschedulableMessage: String?
    var unschedulableSince: String?
    /// `sim.capstan.dev/scale-up`: what the simulated autoscaler does when the pod fits nowhere.
    var scaleUp: ScaleUpRequest?

    init(key: String, namespace: String, name: String, uid: String, requests: ResourceList = ResourceList(),
         affinity: NodeAffinity = .none, tolerations: [Toleration] = [], schedulable: Bool = true,
         unschedulableMessage: String? = nil, unschedulableSince: String? = nil, scaleUp: ScaleUpRequest? = nil) {
        self.key = key
        self.namespace = namespace
        self.name = name
        self.uid = uid
        self.requests = requests
        self.affinity = affinity
        self.tolerations = tolerations
        self.schedulable = schedulable
        self.unschedulableMessage = unschedulableMessage
        self.unschedulableSince = unschedulableSince
        self.scaleUp = scaleUp
    }

    /// The informer transform: nil for pods another scheduler is responsible for.
    static func from(_ pod: JSONValue) -> PendingPod? {
        let spec = pod["spec"]
        if let nodeName = spec?["nodeName"]?.stringValue, !nodeName.isEmpty { return nil }
        let schedulerName = spec?["schedulerName"]?.stringValue ?? "default-scheduler"
        guard schedulerName == "default-scheduler" || schedulerName.isEmpty else { return nil }
        let metadata = pod["metadata"]
        let namespace = metadata?["namespace"]?.stringValue ?? ""
        let name = metadata?["name"]?.stringValue ?? ""
        let gated = !(spec?["schedulingGates"]?.arrayValue ?? []).isEmpty
        let terminating = metadata?["deletionTimestamp"]?.stringValue != nil
        let condition = pod["status"]?["conditions"]?.arrayValue?.first {
            $0["type"]?.stringValue == "PodScheduled" && $0["status"]?.stringValue == "False"
        }
        return PendingPod(
            key: "\(namespace)/\(name)", namespace: namespace, name: name, uid: metadata?["uid"]?.stringValue ?? "",
            requests: ResourceList(podSpec: spec), affinity: NodeAffinity(podSpec: spec),
            tolerations: spec?["tolerations"]?.arrayValue?.map(Toleration.init(json:)) ?? [],
            schedulable: !gated && !terminating,
            unschedulableMessage: condition?["message"]?.stringValue,
            unschedulableSince: condition?["lastTransitionTime"]?.stringValue,
            scaleUp: ScaleUpRequest(annotations: metadata?["annotations"]?.objectValue?.compactMapValues(\.stringValue) ?? [:]))
    }
}
