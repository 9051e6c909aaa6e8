import CapstanAPI
import Foundation

/// A core/v1 Event about a pod, in the shape client-go's event recorder gives it (the
/// kubelet's `Failed`/`BackOff` on image pulls, the cluster autoscaler's `TriggeredScaleUp`).
struct PodEvent: Sendable, Hashable {
    var type: String
    var reason: String
    var message: String
    /// `source.component` and `reportingComponent`: `kubelet`, `cluster-autoscaler`, ...
    var component: String
    /// `source.host`: the node, for kubelet events.
    var host: String?
    /// `involvedObject.fieldPath`, e.g. `spec.containers{main}`.
    var fieldPath: String?

    func object(for pod: PodReference, at timestamp: String) -> JSONValue {
        var source: JSONValue = ["component": .string(component)]
        if let host { source["host"] = .string(host) }
        var involved: JSONValue = ["apiVersion": "v1", "kind": "Pod", "namespace": .string(pod.namespace),
                                   "name": .string(pod.name), "uid": .string(pod.uid)]
        if let fieldPath { involved["fieldPath"] = .string(fieldPath) }
        // client-go names events POD.<unix nanos in hex>.
        let suffix = String(UInt64(Date().timeIntervalSince1970 * 1e9), radix: 16)
        return [
            "apiVersion": "v1", "kind": "Event",
            "metadata": ["name": .string("\(pod.name).\(suffix)"), "namespace": .string(pod.namespace)],
            "involvedObject": involved, "reason": .string(reason), "message": .string(message),
            "type": .string(type), "source": source, "count": 1,
            "firstTimestamp": .string(timestamp), "lastTimestamp": .string(timestamp),
            "reportingComponent": .string(component), "reportingInstance": .string(host ?? ""),
        ]
    }
}
