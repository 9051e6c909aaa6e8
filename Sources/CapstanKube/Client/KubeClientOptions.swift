import Metrics

/// Tuning of a `KubeClient`. The defaults suit one controller process; `capstan run` maps
/// `--kube-qps` and `--kube-burst` onto `qps` and `burst`.
public struct KubeClientOptions: Sendable {
    /// Sustained requests per second (token-bucket refill). 0 or less disables the limit.
    public var qps: Double
    /// Requests that may be sent at once after a quiet period (bucket size).
    public var burst: Int
    /// Drop the client-side limit once an answer shows the API server applies API Priority
    /// and Fairness (its `X-Kubernetes-PF-FlowSchema-UID` header), as SIG API Machinery
    /// recommends and controller-runtime does: the server then queues and sheds load fairly
    /// itself, and answers 429 with Retry-After, which the retry policy honours.
    public var unlimitedUnderPriorityAndFairness: Bool
    public var retry: KubeRetryPolicy
    /// Time allowed for a request until its response head arrives.
    public var requestTimeout: Duration
    /// Time allowed to open a connection, TLS handshake included; failed handshakes (a wrong
    /// CA, say) are retried by the connection pool until it passes.
    public var connectTimeout: Duration
    /// The longest response body accepted (lists of tens of thousands of pods are large).
    public var maxResponseBytes: Int
    /// Connections kept per API server over HTTP/1.1; every open watch holds one.
    public var maxConnections: Int
    public var userAgent: String
    /// Where request metrics go; nil uses the process-wide `MetricsSystem`.
    public var metricsFactory: (any MetricsFactory)?

    public init(qps: Double = 50, burst: Int = 100, unlimitedUnderPriorityAndFairness: Bool = false, retry: KubeRetryPolicy = KubeRetryPolicy(),
                requestTimeout: Duration = .seconds(60), connectTimeout: Duration = .seconds(10), maxResponseBytes: Int = 1 << 30,
                maxConnections: Int = 64, userAgent: String = "capstan", metricsFactory: (any MetricsFactory)? = nil) {
        self.qps = qps
        self.burst = burst
        self.unlimitedUnderPriorityAndFairness = unlimitedUnderPriorityAndFairness
        self.retry = retry
        self.requestTimeout = requestTimeout
        self.connectTimeout = connectTimeout
        self.maxResponseBytes = maxResponseBytes
        self.maxConnections = maxConnections
        self.userAgent = userAgent
        self.metricsFactory = metricsFactory
    }
}
