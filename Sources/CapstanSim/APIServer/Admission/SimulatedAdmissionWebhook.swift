import CapstanAPI

/// A validating admission webhook the tests can make refuse a pod, as a policy engine
/// (Gatekeeper, Kyverno, a controller-runtime webhook) would: annotation
/// `sim.capstan.dev/admission: deny` or `deny: MESSAGE`. The error is what kube-apiserver's
/// webhook plugin (`webhookerrors.ToStatusErr`) makes of the webhook's answer.
enum SimulatedAdmissionWebhook {
    static let annotation = "sim.capstan.dev/admission"
    static let name = "validate.sim.capstan.dev"

    static func admit(_ pod: JSONValue) throws(StatusError) {
        guard let value = pod["metadata"]?["annotations"]?[annotation]?.stringValue else { return }
        let trimmed = value.trimmingSpaces
        guard trimmed == "deny" || trimmed.hasPrefix("deny:") else { return }
        let message = trimmed.dropFirst("deny".count).drop { $0 == ":" || $0 == " " }
        let deniedBy = "admission webhook \"\(name)\" denied the request"
        if message.isEmpty {
            // A webhook answering `allowed: false` with no status: 400, no reason.
            throw StatusError(code: 400, reason: "", message: "\(deniedBy) without explanation")
        }
        // controller-runtime's `admission.Denied(message)`: 403 Forbidden with the message.
        throw StatusError(code: 403, reason: "Forbidden", message: "\(deniedBy): \(message)")
    }
}
