import Metrics

/// Records every request as `capstan_kube_requests_total{verb,code}` and
/// `capstan_kube_request_duration_seconds{verb}` through swift-metrics. The duration is a
/// `Timer`; swift-prometheus exports timers as histograms in seconds.
///
/// `verb` is the Kubernetes verb (`get`, `list`, `watch`, `create`, `update`, `patch`,
/// `delete`); `code` is the HTTP status, or `error` when no answer arrived. Each retry is
/// its own request. A watch's duration is the time to its response head, not its length.
struct KubeRequestMetrics: Sendable {
    static let requestsLabel = "capstan_kube_requests_total"
    static let durationLabel = "capstan_kube_request_duration_seconds"

    /// nil: the process-wide `MetricsSystem.factory`, read at each use (bootstrap may come later).
    let factory: (any MetricsFactory)?

    func record(verb: KubeVerb, code: Int?, duration: Duration) {
        let factory = self.factory ?? MetricsSystem.factory
        let codeText = code.map(String.init) ?? "error"
        Counter(label: Self.requestsLabel, dimensions: [("verb", verb.rawValue), ("code", codeText)], factory: factory).increment()
        let (seconds, attoseconds) = duration.components
        let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        Metrics.Timer(label: Self.durationLabel, dimensions: [("verb", verb.rawValue)], factory: factory).recordNanoseconds(nanoseconds)
    }
}

/// The Kubernetes verbs, as they appear in metrics and error messages.
public enum KubeVerb: String, Sendable {
    case get, list, watch, create, update, patch, delete
}
