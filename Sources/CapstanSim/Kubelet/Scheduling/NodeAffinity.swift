import CapstanAPI

/// Where a pod may run, from `spec.nodeSelector` and
/// `affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution`. Preferred terms
/// only rank nodes in kube, and the sim's scheduler does not rank by them.
struct NodeAffinity: Sendable, Hashable {
    var nodeSelector: [String: String]
    /// nil when the pod has no required node affinity; otherwise any one term must match.
    var requiredTerms: [Term]?

    struct Term: Sendable, Hashable {
        var expressions: [Requirement]
        var fields: [Requirement]

        /// kube: a term without requirements selects no node.
        func matches(labels: [String: String], name: String) -> Bool {
            guard !expressions.isEmpty || !fields.isEmpty else { return false }
            return expressions.allSatisfy { $0.matches(labels[$0.key]) }
                && fields.allSatisfy { $0.key == "metadata.name" && $0.matches(name) }
        }
    }

    struct Requirement: Sendable, Hashable {
        enum Operator: String, Sendable {
            case `in` = "In", notIn = "NotIn", exists = "Exists", doesNotExist = "DoesNotExist", gt = "Gt", lt = "Lt"
        }

        var key: String
        /// nil for an operator kube does not know: such a requirement matches nothing.
        var op: Operator?
        var values: [String]

        init(key: String, op: Operator?, values: [String]) {
            self.key = key
            self.op = op
            self.values = values
        }

        init(json: JSONValue) {
            self.init(key: json["key"]?.stringValue ?? "", op: json["operator"]?.stringValue.flatMap(Operator.init(rawValue:)),
                      values: json["values"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        }

        func matches(_ value: String?) -> Bool {
            switch op {
            case .in: return value.map(values.contains) ?? false
            case .notIn: return value.map { !values.contains($0) } ?? true
            case .exists: return value != nil
            case .doesNotExist: return value == nil
            case .gt, .lt:
                guard let value, let actual = Int64(value), values.count == 1, let bound = Int64(values[0]) else { return false }
                return op == .gt ? actual > bound : actual < bound
            case nil: return false
            }
        }
    }

    static let none = NodeAffinity(nodeSelector: [:], requiredTerms: nil)

    init(nodeSelector: [String: String], requiredTerms: [Term]?) {
        self.nodeSelector = nodeSelector
        self.requiredTerms = requiredTerms
    }

    init(podSpec spec: JSONValue?) {
        let selector = spec?["nodeSelector"]?.objectValue?.compactMapValues(\.stringValue) ?? [:]
        let required = spec?["affinity"]?["nodeAffinity"]?["requiredDuringSchedulingIgnoredDuringExecution"]
        let terms = required?["nodeSelectorTerms"]?.arrayValue.map { terms in
            terms.map { term in
                Term(expressions: term["matchExpressions"]?.arrayValue?.map(Requirement.init(json:)) ?? [],
                     fields: term["matchFields"]?.arrayValue?.map(Requirement.init(json:)) ?? [])
            }
        }
        self.init(nodeSelector: selector, requiredTerms: terms)
    }

    func matches(labels: [String: String], name: String) -> Bool {
        guard nodeSelector.allSatisfy({ labels[$0.key] == $0.value }) else { return false }
        guard let requiredTerms else { return true }
        return requiredTerms.contains { $0.matches(labels: labels, name: name) }
    }
}
