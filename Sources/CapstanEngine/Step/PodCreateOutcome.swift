/// How the API server answered one pod create (SPEC §10). The controller only sorts the
/// answer into one of these; what follows from it is the engine's decision.
public enum PodCreateOutcome: Sendable, Hashable {
    /// The pod exists (created now, or by an earlier reconcile whose status was not saved).
    case created
    /// A `ResourceQuota` has no room for the pod now. Not an attempt: wait and try again.
    case quotaExceeded(message: String)
    /// Invalid (422) or denied by admission: the same pod would be refused again.
    case rejected(message: String)
    /// The API server could not answer now (429, 5xx, no connection). Not an attempt.
    case unavailable(message: String)
}

/// A create refused for a reason that passes; the node waits and tries again.
struct CreateRefusal: Equatable {
    var quota: Bool
    var message: String

    /// The node's message while it waits.
    var waitingMessage: String {
        quota ? "waiting for quota: \(message)" : "waiting for the API server to accept pods: \(message)"
    }

    /// 1 s after the first refusal, doubling to at most a minute (SPEC §10).
    static func delay(afterRefusals refusals: Int) -> Double {
        min(60, Double(1 << min(max(refusals - 1, 0), 6)))
    }
}
