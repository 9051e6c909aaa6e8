import CapstanAPI
import CapstanKube
import Logging

/// Events on pods with given reasons, watched through field selectors so that the cluster's
/// other Events cost nothing, kept by pod: the latest time and message of each.
///
/// Two watches use it. Autoscalers' `TriggeredScaleUp` (Cluster Autoscaler) and `Nominated`
/// (Karpenter) tell a pod that waits for a node on its way from one no node will ever fit
/// (SPEC §10). The kubelet's `FailedMount` tells a pod whose secret files cannot be mounted
/// (a Secret that does not exist) from one still pulling its image: both wait in
/// `ContainerCreating`, and only the Event says which.
final class PodEventSignals: Sendable {
    static let autoscalerReasons = ["TriggeredScaleUp", "Nominated"]
    static let mountFailureReasons = ["FailedMount"]

    struct Signal: Sendable, Hashable {
        var podKey: String
        var at: Timestamp
        var message: String
    }

    let informers: [Informer<Signal>]

    init(kube: any KubeAPI, namespace: String?, reasons: [String], logger: Logger) {
        informers = reasons.map { reason in
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

    /// The pod `namespace/name` of each watched Event as it arrives (and of those already
    /// cached when called), until cancelled.
    func signalledPods() -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream<String>.makeStream()
        let forwarding = Task {
            await withTaskGroup(of: Void.self) { group in
                for informer in informers {
                    group.addTask {
                        for await event in informer.events() {
                            if case .deleted = event { continue }
                            continuation.yield(event.summary.podKey)
                        }
                    }
                }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in forwarding.cancel() }
        return stream
    }

    /// The latest of the watched Events on the pod `namespace/name`.
    func latest(forPod key: String) -> Signal? {
        informers.flatMap { $0.byIndex("pod", key) }.max { $0.at < $1.at }
    }

    private static func signal(_ event: JSONValue) -> Signal? {
        guard let object = event["involvedObject"], let name = object["name"]?.stringValue,
            let namespace = object["namespace"]?.stringValue ?? event["metadata"]?["namespace"]?.stringValue
        else { return nil }
        // Recorders fill one of these, by API version and age.
        let time = ["lastTimestamp", "eventTime", "firstTimestamp"].lazy.compactMap { event[$0]?.stringValue }.first
            ?? event["metadata"]?["creationTimestamp"]?.stringValue
        guard let at = time.flatMap(Timestamp.init(rfc3339:)) else { return nil }
        return Signal(podKey: "\(namespace)/\(name)", at: at, message: event["message"]?.stringValue ?? event["note"]?.stringValue ?? "")
    }
}
