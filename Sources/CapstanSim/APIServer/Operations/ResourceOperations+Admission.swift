import CapstanAPI
import Foundation

/// What kube-apiserver checks after defaulting and before storing, in its order: the kind's
/// validation (422), validating admission webhooks, then the ResourceQuota plugin (403).
extension ResourceOperations {
    static let podsResource = GroupResource(group: "", resource: "pods")
    static let quotasResource = GroupResource(group: "", resource: "resourcequotas")

    /// Validation and webhooks for a create; the quota comes with the write (`withPodQuota`).
    func admitCreate(_ scope: Scope, _ object: JSONValue, name: String) throws(StatusError) {
        try validate(scope, object, name: name)
        if isPods(scope.type) { try SimulatedAdmissionWebhook.admit(object) }
    }

    /// `ValidateObjectMeta` for every kind, plus the pod rules for pods.
    func validate(_ scope: Scope, _ object: JSONValue, name: String, podSpec: Bool = true) throws(StatusError) {
        var errors = ObjectMetaValidation.errors(object["metadata"])
        if podSpec && isPods(scope.type) { errors += PodValidation.errors(object) }
        guard !errors.isEmpty else { return }
        throw StatusError.invalid(scope.type.groupResource, kind: scope.type.kind, name: name, errors: errors)
    }

    /// Runs `write` for a pod create under the namespace's quotas: the check and the write
    /// happen under one lock, so two creates cannot both take the last of a quota.
    func withPodQuota<Result>(_ scope: Scope, _ pod: JSONValue, name: String,
                              _ write: () throws(StatusError) -> Result) throws(StatusError) -> Result {
        guard isPods(scope.type), quotaStatus.presence.hasQuotas(in: scope.namespace) else { return try write() }
        let quotas = quotas(in: scope.namespace)
        guard !quotas.isEmpty else { return try write() }
        let result = try quotaLock.withLock { (_) throws(StatusError) -> Result in
            let admission = ResourceQuotaAdmission(quotas: quotas, used: podUsage(in: scope.namespace))
            try admission.admit(pod, name: name)
            return try write()
        }
        quotaStatus.markDirty(scope.namespace)
        return result
    }

    func quotas(in namespace: String) -> [JSONValue] {
        store.list(Self.quotasResource, namespace: namespace, after: nil, limit: nil) { _ in true }.items.map { $0.value() }
    }

    /// The namespace's pods, summed as kube's quota controller sums them.
    func podUsage(in namespace: String) -> PodQuotaUsage.Usage {
        let now = Date().timeIntervalSince1970
        let pods = store.list(Self.podsResource, namespace: namespace, after: nil, limit: nil) { _ in true }.items
        return pods.reduce(into: [:]) { total, pod in total = PodQuotaUsage.add(total, PodQuotaUsage.usage(pod.value(), now: now)) }
    }

    private func isPods(_ type: ServedResource) -> Bool { type.group.isEmpty && type.plural == "pods" }
}
