import CapstanAPI
import Foundation

/// What a pod counts against a `ResourceQuota`, as kube's pod quota evaluator
/// (pkg/quota/v1/evaluator/core/pods.go) measures it.
enum PodQuotaUsage {
    typealias Usage = [String: CanonicalQuantity]

    /// The quota names the pod evaluator tracks; `requests.<extended>` and hugepages come on top.
    static let podResources: Set<String> = [
        "count/pods", "pods", "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory",
        "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage",
    ]

    /// A quota on any of these makes every container state its value (kube's own "mistake").
    static let validationSet: Set<String> = ["cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"]

    /// `MatchingResources`: the quota's names this evaluator answers for.
    static func matchingResources(_ names: some Sequence<String>) -> [String] {
        names.filter { name in
            podResources.contains(name) || name.hasPrefix("hugepages-") || name.hasPrefix("requests.hugepages-")
                || (name.hasPrefix("requests.") && !PodValidation.isNative(name))
        }.sorted()
    }

    /// `PodUsageFunc`: the object count always, compute resources only while the pod can run.
    static func usage(_ pod: JSONValue, now: Double = Date().timeIntervalSince1970) -> Usage {
        var result: Usage = ["count/pods": CanonicalQuantity(value: 1, format: .decimalSI)]
        guard isCharged(pod, now: now) else { return result }
        let spec = pod["spec"]
        result = add(result, computeUsage(requests: podTotal(spec, "requests"), limits: podTotal(spec, "limits")))
        return result
    }

    /// `podComputeUsageHelper`: one pod, and every request or limit under its quota names.
    static func computeUsage(requests: [String: CanonicalQuantity], limits: [String: CanonicalQuantity]) -> Usage {
        var result: Usage = ["pods": CanonicalQuantity(value: 1, format: .decimalSI)]
        for name in ["cpu", "memory", "ephemeral-storage"] {
            if let request = requests[name] {
                result[name] = request
                result["requests.\(name)"] = request
            }
            if let limit = limits[name] { result["limits.\(name)"] = limit }
        }
        for (name, request) in requests {
            if name.hasPrefix("hugepages-") {
                result[name] = request
                result["requests.\(name)"] = request
            } else if !PodValidation.isNative(name) {
                result["requests.\(name)"] = request
            }
        }
        return result
    }

    /// Terminal pods, and pods whose deletion grace has run out, no longer hold compute quota.
    static func isCharged(_ pod: JSONValue, now: Double) -> Bool {
        let phase = pod["status"]?["phase"]?.stringValue
        if phase == "Succeeded" || phase == "Failed" { return false }
        if let deletion = pod["metadata"]?["deletionTimestamp"]?.stringValue.flatMap(CapstanAPI.Timestamp.init(rfc3339:)),
           let grace = pod["metadata"]?["deletionGracePeriodSeconds"]?.intValue,
           now > deletion.secondsSince1970 + Double(grace)
        {
            return false
        }
        return true
    }

    /// kube's `PodRequests`/`PodLimits`: the containers' sum or the largest init container, plus overhead.
    static func podTotal(_ spec: JSONValue?, _ kind: String) -> [String: CanonicalQuantity] {
        var total: [String: CanonicalQuantity] = [:]
        for container in spec?["containers"]?.arrayValue ?? [] {
            total = add(total, quantities(container["resources"]?[kind]))
        }
        for container in spec?["initContainers"]?.arrayValue ?? [] {
            for (name, amount) in quantities(container["resources"]?[kind]) where amount.value > (total[name]?.value ?? 0) {
                total[name] = amount
            }
        }
        if let overhead = spec?["overhead"], !(total.isEmpty && kind == "limits") {
            total = add(total, quantities(overhead))
        }
        return total
    }

    static func quantities(_ json: JSONValue?) -> [String: CanonicalQuantity] {
        (json?.objectValue ?? [:]).compactMapValues(CanonicalQuantity.init)
    }

    /// `quota.Add`: keys of both, summed where both have them.
    static func add(_ lhs: Usage, _ rhs: Usage) -> Usage {
        var result = lhs
        for (name, amount) in rhs { result[name] = (result[name] ?? .zero) + amount }
        return result
    }
}
