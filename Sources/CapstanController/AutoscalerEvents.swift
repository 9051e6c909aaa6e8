import CapstanAPI
import CapstanKube
import Logging

/// The Events cluster autoscalers record on a pod they are adding a node for: Cluster
/// Autoscaler's `TriggeredScaleUp` and Karpenter's `Nominated`. They tell a pod that waits
/// for a node on its way from one that no node will ever fit (SPEC §10). Only these two
/// reasons are watched, through field selectors, so the cluster's other Events cost nothing.
final class AutoscalerEvents: Sendable {
    static let reasons = ["TriggeredScaleUp", "Nominated"]

    struct Signal: Sendable, Hashable {
        var podKey: String
        var at: Timestamp
    }

    let informers: [Informer<Signal>]

    init(kube: any KubeAPI, namespace: String?, logger: Logger) {
        informers = Self.reasons.map { reason in
            Informer<Signal>(
                client: kube, resource: .events, namespace: namespace,
                fieldSelector: "involvedObject.kind=Pod,reason=\(reason)",
                indexes: ["pod": { [$0.podKey] }], logger: logger, transform: Self.signal)
        }
    }

    func run() async {
        await withTaskGroup(of: Void.self) { group in
            for informer in informers { group.addTask { await informer.run() } }
        }
    }

    func waitForSync() async {
        for informer in informers { await informer.waitForSync() }
    }

    /// When an autoscaler last said a node is coming for the pod `namespace/name`.
    func latest(forPod key: String) -> Timestamp? {
        informers.flatMap { $0.byIndex("pod", key) }.map(\.at).max()
    }

    private static func signal(_ event: JSONValue) -> Signal? {
        guard let object = event["involvedObject"], let name = object["name"]?.stringValue,
            let namespace = object["namespace"]?.stringValue ?? event["metadata"]?["namespace"]?.stringValue
        else { return nil }
        // Recorders fill one of these, by API version and age.
        let time = ["lastTimestamp", "eventTime", "firstTimestamp"].lazy.compactMap { event[$0]?.stringValue }.first
            ?? event["metadata"]?["creationTimestamp"]?.stringValue
        guard let at = time.flatMap(Timestamp.init(rfc3339:)) else { return nil }
        return Signal(podKey: "\(namespace)/\(name)", at: at)
    }
}
