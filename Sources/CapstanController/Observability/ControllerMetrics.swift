import Metrics
import Prometheus

/// The controller's metrics (SPEC §7), exported by `ObservabilityServer` at `/metrics`.
///
/// One registry holds everything: the series recorded here through typed methods, and the
/// ones other modules record through swift-metrics (`capstan_kube_*`, `capstan_workqueue_*`,
/// `capstan_store_*`, `capstan_leader` from `LeaderElector`), which reach it once
/// `bootstrap()` has installed `factory` as the process's swift-metrics backend. swift-metrics
/// `Timer`s become histograms in seconds under the name given, with the buckets of
/// `MetricsCatalog`. Every series whose labels are known in advance exists from the start at
/// zero, so dashboards and alerts see each family before the first event.
///
/// Tests make their own instance with a fresh registry; only the process calls `bootstrap()`.
public struct ControllerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    /// Feeds `registry`; pass it where a component takes a `MetricsFactory`.
    public let factory: PrometheusMetricsFactory

    private let workflowGauges: [String: Prometheus.Gauge]
    private let workflowDurations: [String: DurationHistogram]
    private let attempts: [NodeAttemptResult: Prometheus.Counter]
    private let retryCounters: [RetryKind: Prometheus.Counter]
    private let cacheLookups: [CacheLookupResult: Prometheus.Counter]
    private let podCreations: Prometheus.Counter
    private let reconcileDuration: DurationHistogram
    private let reconcileErrors: Prometheus.Counter
    private let leader: Prometheus.Gauge

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        factory = Self.makeFactory(registry: registry)
        typealias Catalog = MetricsCatalog
        workflowGauges = Dictionary(uniqueKeysWithValues: Catalog.workflowPhases.map { phase in
            (phase, Self.gauge(Catalog.workflows.name, labels: [("phase", phase)], in: registry))
        })
        workflowDurations = Dictionary(uniqueKeysWithValues: Catalog.finalWorkflowPhases.map { phase in
            (phase, Self.histogram(Catalog.workflowDuration, labels: [("phase", phase)], in: registry))
        })
        attempts = Dictionary(uniqueKeysWithValues: NodeAttemptResult.allCases.map { result in
            (result, Self.counter(Catalog.nodeAttempts.name, labels: [("result", result.rawValue)], in: registry))
        })
        retryCounters = Dictionary(uniqueKeysWithValues: RetryKind.allCases.map { kind in
            (kind, Self.counter(Catalog.retries.name, labels: [("kind", kind.rawValue)], in: registry))
        })
        cacheLookups = Dictionary(uniqueKeysWithValues: CacheLookupResult.allCases.map { result in
            (result, Self.counter(Catalog.cacheLookups.name, labels: [("result", result.rawValue)], in: registry))
        })
        podCreations = Self.counter(Catalog.podsCreated.name, labels: [], in: registry)
        reconcileDuration = Self.histogram(Catalog.reconcileDuration, labels: [], in: registry)
        reconcileErrors = Self.counter(Catalog.reconcileErrors.name, labels: [], in: registry)
        leader = Self.gauge(Catalog.leader.name, labels: [], in: registry)
        Self.registerOtherModulesSeries(in: registry)
    }

    /// The process-wide instance, installed as the swift-metrics backend on first use. Call it
    /// before creating anything that records through swift-metrics (`KubeClient`, `WorkQueue`,
    /// `LeaderElector`, stores): metrics created earlier go to swift-metrics' no-op backend.
    /// Safe to call any number of times from any thread; it must be the only code that calls
    /// `MetricsSystem.bootstrap` in the process.
    public static func bootstrap() -> ControllerMetrics {
        processWide
    }

    private static let processWide: ControllerMetrics = {
        let metrics = ControllerMetrics()
        MetricsSystem.bootstrap(metrics.factory)
        return metrics
    }()

    /// The Prometheus text exposition (format 0.0.4) of everything in the registry.
    public func exposition() -> [UInt8] {
        MetricsExposition.render(registry.emitToString())
    }

    // MARK: Workflows

    /// Sets `capstan_workflows{phase}` for one phase (`WorkflowPhase.rawValue`, e.g. `Running`).
    public func setWorkflowCount(_ count: Int, phase: String) {
        workflowGauge(phase).set(to: Double(count))
    }

    /// Sets `capstan_workflows` for every phase at once; phases missing from `counts` are 0.
    public func setWorkflowCounts(_ counts: [String: Int]) {
        for phase in MetricsCatalog.workflowPhases where counts[phase] == nil {
            workflowGauge(phase).set(to: 0)
        }
        for (phase, count) in counts {
            workflowGauge(phase).set(to: Double(count))
        }
    }

    /// A workflow ended in `phase` (`Succeeded`, `Failed`, `Aborted`) after `duration` from its start.
    public func workflowFinished(phase: String, duration: Duration) {
        let histogram = workflowDurations[phase]
            ?? Self.histogram(MetricsCatalog.workflowDuration, labels: [("phase", phase)], in: registry)
        histogram.record(max(duration, .zero))
    }

    // MARK: Attempts and pods

    /// One attempt (pod) finished. For `.retried`, also call `retryStarted(_:)` with its kind.
    public func attemptFinished(_ result: NodeAttemptResult) {
        attempts[result]!.increment()
    }

    /// A node starts another attempt after a failure.
    public func retryStarted(_ kind: RetryKind) {
        retryCounters[kind]!.increment()
    }

    /// Pods created (an `AlreadyExists` answer is not a new pod).
    public func podsCreated(_ count: Int = 1) {
        podCreations.increment(by: Int64(count))
    }

    public func cacheLookup(_ result: CacheLookupResult) {
        cacheLookups[result]!.increment()
    }

    // MARK: Reconciles and leadership

    public func reconcileFinished(duration: Duration, failed: Bool) {
        reconcileDuration.record(max(duration, .zero))
        if failed { reconcileErrors.increment() }
    }

    /// `capstan_leader`: 1 while this replica leads. `LeaderElector` sets it itself; without
    /// leader election the controller calls `setLeader(true)` once it starts reconciling.
    public func setLeader(_ leading: Bool) {
        leader.set(to: leading ? 1 : 0)
    }

    // MARK: Construction

    /// A swift-metrics factory on `registry` whose timers use the catalog's buckets (seconds).
    public static func makeFactory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = MetricFamily.durations(MetricsCatalog.latencyBuckets)
        var buckets: [String: [Duration]] = [:]
        for family in MetricsCatalog.all where family.kind == .histogram {
            buckets[family.name] = family.durationBuckets
        }
        factory.durationHistogramBuckets = buckets
        return factory
    }

    private static func histogram(_ family: MetricFamily, labels: [(String, String)],
                                  in registry: PrometheusCollectorRegistry) -> DurationHistogram {
        registry.makeDurationHistogram(descriptor: descriptor(family.name), labels: labels, buckets: family.durationBuckets)
    }

    private static func counter(_ name: String, labels: [(String, String)],
                                in registry: PrometheusCollectorRegistry) -> Prometheus.Counter {
        registry.makeCounter(descriptor: descriptor(name), labels: labels)
    }

    private static func gauge(_ name: String, labels: [(String, String)],
                              in registry: PrometheusCollectorRegistry) -> Prometheus.Gauge {
        registry.makeGauge(descriptor: descriptor(name), labels: labels)
    }

    /// No help text: swift-metrics registers the same names without one, and the registry
    /// insists they agree. `MetricsExposition` adds HELP lines when rendering.
    private static func descriptor(_ name: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: "")
    }

    private func workflowGauge(_ phase: String) -> Prometheus.Gauge {
        workflowGauges[phase] ?? Self.gauge(MetricsCatalog.workflows.name, labels: [("phase", phase)], in: registry)
    }

    /// Zero-valued series for the families other modules record, with the label names and
    /// order those modules use (the registry tells series apart by ordered labels). The Kubernetes
    /// request counter is left out: its `code` label has no value before the first answer.
    private static func registerOtherModulesSeries(in registry: PrometheusCollectorRegistry) {
        typealias Catalog = MetricsCatalog
        _ = Self.gauge(Catalog.workqueueDepth.name, labels: [], in: registry)
        _ = histogram(Catalog.workerHandoff, labels: [], in: registry)
        _ = histogram(Catalog.workqueueWait, labels: [], in: registry)
        for verb in Catalog.kubeVerbs {
            _ = histogram(Catalog.kubeRequestDuration, labels: [("verb", verb)], in: registry)
        }
        _ = Self.counter(Catalog.kubeRateLimitWait.name, labels: [], in: registry)
        _ = Self.gauge(Catalog.kubeQPSLimit.name, labels: [], in: registry)
        for op in Catalog.storeOperations {
            _ = histogram(Catalog.storeRequestDuration, labels: [("op", op)], in: registry)
            for result in Catalog.storeResults {
                _ = Self.counter(Catalog.storeRequests.name, labels: [("op", op), ("result", result)], in: registry)
            }
        }
    }
}
