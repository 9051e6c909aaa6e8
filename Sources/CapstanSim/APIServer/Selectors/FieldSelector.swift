/// A parsed `fieldSelector` query: `field=value`, `field==value`, `field!=value`, comma-separated.
/// Only the fields kube-apiserver indexes for a resource are accepted, as it does.
struct FieldSelector: Sendable, Equatable {
    struct Requirement: Sendable, Equatable {
        var field: String
        var value: String
        var negated: Bool
    }

    var requirements: [Requirement]

    static let everything = FieldSelector(requirements: [])

    init(requirements: [Requirement]) { self.requirements = requirements }

    init(parsing text: String, resource: GroupResource) throws(StatusError) {
        requirements = []
        let allowed = Set(Self.selectableFields(for: resource))
        for clause in text.split(separator: ",") {
            let trimmed = clause.trimmingSpaces
            if trimmed.isEmpty { continue }
            var requirement: Requirement?
            for (op, negated) in [("!=", true), ("==", false), ("=", false)] {
                if let range = trimmed.range(of: op) {
                    requirement = Requirement(field: String(trimmed[..<range.lowerBound]).trimmingSpaces,
                                              value: String(trimmed[range.upperBound...]).trimmingSpaces,
                                              negated: negated)
                    break
                }
            }
            guard let requirement else {
                throw StatusError.badRequest("invalid selector: '\(text)'; can't understand '\(trimmed)'")
            }
            guard allowed.contains(requirement.field)
                || ["metadata.name", "metadata.namespace"].contains(requirement.field)
            else {
                throw StatusError.badRequest("field label not supported: \(requirement.field)")
            }
            requirements.append(requirement)
        }
    }

    func matches(_ fields: [String: String]) -> Bool {
        requirements.allSatisfy { requirement in
            (fields[requirement.field] ?? "") == requirement.value ? !requirement.negated : requirement.negated
        }
    }

    /// Fields beyond `metadata.name` and `metadata.namespace` that kube lets clients select on.
    static func selectableFields(for resource: GroupResource) -> [String] {
        switch (resource.group, resource.resource) {
        case ("", "pods"):
            return ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
                    "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName"]
        case ("", "events"):
            return ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
                    "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
                    "reason", "reportingComponent", "source.component", "type"]
        case ("events.k8s.io", "events"):
            return ["regarding.kind", "regarding.namespace", "regarding.name", "regarding.uid", "reason", "type",
                    "reportingController"]
        case ("", "secrets"): return ["type"]
        case ("", "nodes"): return ["spec.unschedulable"]
        case ("", "namespaces"): return ["status.phase"]
        case ("", "replicationcontrollers"): return ["status.replicas"]
        case ("batch", "jobs"): return ["status.successful"]
        default: return []
        }
    }
}
