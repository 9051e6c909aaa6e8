import CapstanEngine
import CapstanKube

extension PodCreateOutcome {
    /// Sorts the API server's answer to a pod create into what the engine decides on
    /// (SPEC §10). Only the sorting lives here; what each answer means for the attempt is
    /// the engine's.
    init(refusal error: any Error) {
        guard let error = error as? KubeError else {
            self = .unavailable(message: "\(error)")
            return
        }
        let message = error.message.isEmpty ? "\(error)" : error.message
        if error.isForbidden && message.contains("exceeded quota") {
            self = .quotaExceeded(message: message)
        } else if error.isForbidden && message.contains("cannot create resource") {
            // RBAC, not the pod: the controller's own permissions are wrong. Waiting keeps
            // the work and shows the reason until an operator fixes the role.
            self = .unavailable(message: message)
        } else if error.isTransport || error.isTooManyRequests || error.isTimeout
            || (error.isServerError && !message.contains("request is too large")) {
            self = .unavailable(message: message)
        } else {
            // 422 invalid, 400/403 admission denials, 413 too large, a namespace being
            // deleted: the same pod would be refused again.
            self = .rejected(message: message)
        }
    }
}
