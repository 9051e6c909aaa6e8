import CapstanAPI

/// kube's `ResourceQuota` admission plugin for pod creates (apiserver's
/// admission/plugin/resourcequota `CheckRequest`): a pod that would take a namespace past
/// any quota's `hard` is refused with 403 Forbidden, worded as kube words it.
struct ResourceQuotaAdmission {
    /// The namespace's quotas.
    var quotas: [JSONValue]
    /// What the namespace's pods use now, per quota name.
    var used: PodQuotaUsage.Usage

    /// Throws the Forbidden error kube returns; `name` is the pod's (generated) name.
    func admit(_ pod: JSONValue, name: String) throws(StatusError) {
        let pods = GroupResource(group: "", resource: "pods")
        func forbidden(_ message: String) -> StatusError { StatusError.forbidden(pods, name, message) }
        var interesting: [(name: String, hard: PodQuotaUsage.Usage)] = []
        for quota in quotas.sorted(by: { Self.name($0) < Self.name($1) }) {
            let hard = PodQuotaUsage.quantities(quota["spec"]?["hard"])
            let restricted = PodQuotaUsage.matchingResources(hard.keys)
            guard !restricted.isEmpty, QuotaScopes(quota).matches(pod) else { continue }
            if let missing = Self.missingRequests(pod, required: Set(restricted).intersection(PodQuotaUsage.validationSet)) {
                throw forbidden("failed quota: \(Self.name(quota)): must specify \(missing)")
            }
            interesting.append((Self.name(quota), hard))
        }
        let input = PodQuotaUsage.usage(pod).filter { $0.value.value != 0 }
        for quota in interesting {
            let requested = input.filter { quota.hard[$0.key] != nil }
            let exceeded = requested.keys.filter { name in
                let total = (used[name] ?? .zero) + requested[name]!
                return total.value > quota.hard[name]!.value
            }
            guard !exceeded.isEmpty else { continue }
            func printed(_ usage: PodQuotaUsage.Usage) -> String {
                exceeded.sorted().map { "\($0)=\((usage[$0] ?? .zero).text)" }.joined(separator: ",")
            }
            throw forbidden("exceeded quota: \(quota.name), requested: \(printed(requested)), used: \(printed(used)), "
                + "limited: \(printed(quota.hard))")
        }
    }

    /// `Constraints`: with a cpu or memory quota, every container must state that request or
    /// limit. Worded `cpu for: a,b; memory for: a`.
    static func missingRequests(_ pod: JSONValue, required: Set<String>) -> String? {
        guard !required.isEmpty else { return nil }
        var missing: [String: Set<String>] = [:]
        for field in ["containers", "initContainers"] {
            for container in pod["spec"]?[field]?.arrayValue ?? [] {
                let usage = PodQuotaUsage.computeUsage(requests: PodQuotaUsage.quantities(container["resources"]?["requests"]),
                                                       limits: PodQuotaUsage.quantities(container["resources"]?["limits"]))
                for resource in required where usage[resource] == nil {
                    missing[resource, default: []].insert(container["name"]?.stringValue ?? "")
                }
            }
        }
        guard !missing.isEmpty else { return nil }
        return missing.keys.sorted().map { "\($0) for: \(missing[$0]!.sorted().joined(separator: ","))" }
            .joined(separator: "; ")
    }

    private static func name(_ quota: JSONValue) -> String { quota["metadata"]?["name"]?.stringValue ?? "" }
}

/// A quota's `scopes` and `scopeSelector`: which pods it counts.
struct QuotaScopes {
    private var requirements: [(scope: String, op: String, values: [String])] = []

    init(_ quota: JSONValue) {
        for scope in quota["spec"]?["scopes"]?.arrayValue ?? [] {
            requirements.append((scope.stringValue ?? "", "Exists", []))
        }
        for expression in quota["spec"]?["scopeSelector"]?["matchExpressions"]?.arrayValue ?? [] {
            requirements.append((expression["scopeName"]?.stringValue ?? "", expression["operator"]?.stringValue ?? "",
                                 (expression["values"]?.arrayValue ?? []).compactMap(\.stringValue)))
        }
    }

    func matches(_ pod: JSONValue) -> Bool {
        requirements.allSatisfy { requirement in
            let spec = pod["spec"]
            switch requirement.scope {
            case "Terminating": return (spec?["activeDeadlineSeconds"]?.intValue ?? -1) >= 0
            case "NotTerminating": return (spec?["activeDeadlineSeconds"]?.intValue ?? -1) < 0
            case "BestEffort": return pod["status"]?["qosClass"]?.stringValue == "BestEffort"
            case "NotBestEffort": return pod["status"]?["qosClass"]?.stringValue != "BestEffort"
            case "PriorityClass":
                let priorityClass = spec?["priorityClassName"]?.stringValue ?? ""
                switch requirement.op {
                case "In": return requirement.values.contains(priorityClass)
                case "NotIn": return !requirement.values.contains(priorityClass)
                case "DoesNotExist": return priorityClass.isEmpty
                default: return !priorityClass.isEmpty
                }
            default: return false
            }
        }
    }
}
