/// Every metric family Capstan exports (SPEC §7): name, type, labels, help text and — for
/// histograms — buckets in seconds. The one list the exporter, the docs and the tests read,
/// so a family cannot be added in one place and forgotten in another.
public struct MetricFamily: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case counter, gauge, histogram
    }

    public let name: String
    public let kind: Kind
    public let labels: [String]
    public let help: String
    /// Upper bounds of the histogram buckets, in seconds; empty for counters and gauges.
    public let bucketSeconds: [Double]

    init(_ name: String, _ kind: Kind, labels: [String] = [], buckets: [Double] = [], help: String) {
        self.name = name
        self.kind = kind
        self.labels = labels
        self.help = help
        self.bucketSeconds = buckets
    }

    /// The buckets as swift-prometheus wants them for duration histograms.
    var durationBuckets: [Duration] {
        Self.durations(bucketSeconds)
    }

    static func durations(_ seconds: [Double]) -> [Duration] {
        seconds.map { .nanoseconds(Int64(($0 * 1_000_000_000).rounded())) }
    }
}

public enum MetricsCatalog {
    /// Request and reconcile latencies: 5 ms to a minute.
    public static let latencyBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
    /// Whole workflows: a second to a day.
    public static let workflowBuckets: [Double] = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 28800, 57600, 86400]

    // Recorded by the controller through `ControllerMetrics`.
    public static let workflows = MetricFamily(
        "capstan_workflows", .gauge, labels: ["phase"],
        help: "Workflows the controller currently sees, by phase.")
    public static let workflowDuration = MetricFamily(
        "capstan_workflow_duration_seconds", .histogram, labels: ["phase"], buckets: workflowBuckets,
        help: "Start to finish of each workflow that ended, by its final phase.")
    public static let nodeAttempts = MetricFamily(
        "capstan_node_attempts_total", .counter, labels: ["result"],
        help: "Finished task attempts (one per pod) by result: succeeded, retried, failed, aborted.")
    public static let retries = MetricFamily(
        "capstan_retries_total", .counter, labels: ["kind"],
        help: "Attempts started again after a failure: user (the node's retries) or system (evictions, lost nodes).")
    public static let podsCreated = MetricFamily(
        "capstan_pods_created_total", .counter,
        help: "Pods created, one per attempt and map item.")
    public static let cacheLookups = MetricFamily(
        "capstan_cache_lookups_total", .counter, labels: ["result"],
        help: "Cache lookups of nodes with cache.version, by result: hit or miss.")
    public static let reconcileDuration = MetricFamily(
        "capstan_reconcile_duration_seconds", .histogram, buckets: latencyBuckets,
        help: "Time one reconcile of one workflow took.")
    public static let reconcileErrors = MetricFamily(
        "capstan_reconcile_errors_total", .counter,
        help: "Reconciles that ended in an error and were re-queued with backoff.")
    public static let leader = MetricFamily(
        "capstan_leader", .gauge,
        help: "1 on the replica that holds the leader Lease (or runs without leader election), 0 elsewhere.")
    public static let workerHandoff = MetricFamily(
        "capstan_worker_handoff_seconds", .histogram, buckets: latencyBuckets,
        help: "map.workers: from a worker's poll reporting an item done to its next item handed to it.")

    // Recorded by CapstanKube and CapstanStore through swift-metrics.
    public static let workqueueDepth = MetricFamily(
        "capstan_workqueue_depth", .gauge,
        help: "Workflows waiting for a worker.")
    public static let workqueueWait = MetricFamily(
        "capstan_workqueue_wait_seconds", .histogram, buckets: latencyBuckets,
        help: "Time a workflow waited in the queue before a worker took it.")
    public static let kubeRequests = MetricFamily(
        "capstan_kube_requests_total", .counter, labels: ["verb", "code"],
        help: "Kubernetes API requests by verb and HTTP status code (error: no answer).")
    public static let kubeRequestDuration = MetricFamily(
        "capstan_kube_request_duration_seconds", .histogram, labels: ["verb"], buckets: latencyBuckets,
        help: "Kubernetes API request latency (for a watch: time to the response head).")
    public static let kubeRateLimitWait = MetricFamily(
        "capstan_kube_client_rate_limit_wait_seconds_total", .counter,
        help: "Seconds Kubernetes API requests spent waiting for the client-side rate limit (--kube-qps).")
    public static let kubeQPSLimit = MetricFamily(
        "capstan_kube_client_qps_limit", .gauge,
        help: "The client-side limit on Kubernetes API requests per second; 0 when there is none.")
    public static let storeRequests = MetricFamily(
        "capstan_store_requests_total", .counter, labels: ["op", "result"],
        help: "Object store requests by operation and result: ok, not_found or error.")
    public static let storeRequestDuration = MetricFamily(
        "capstan_store_request_duration_seconds", .histogram, labels: ["op"], buckets: latencyBuckets,
        help: "Object store request latency.")

    public static let all: [MetricFamily] = [
        workflows, workflowDuration, nodeAttempts, retries, podsCreated, cacheLookups,
        reconcileDuration, reconcileErrors, leader, workerHandoff,
        workqueueDepth, workqueueWait, kubeRequests, kubeRequestDuration, kubeRateLimitWait, kubeQPSLimit,
        storeRequests, storeRequestDuration,
    ]

    static func family(named name: String) -> MetricFamily? {
        all.first { $0.name == name }
    }

    // Label values known in advance, so each series is exported at zero from the start.
    static let workflowPhases = ["Pending", "Running", "Succeeded", "Failed", "Aborted"]
    static let finalWorkflowPhases = ["Succeeded", "Failed", "Aborted"]
    static let kubeVerbs = ["get", "list", "watch", "create", "update", "patch", "delete"]
    static let storeOperations = ["get", "put", "head", "list", "delete"]
    static let storeResults = ["ok", "not_found", "error"]
}
