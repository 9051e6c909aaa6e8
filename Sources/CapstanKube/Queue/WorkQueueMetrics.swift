import Metrics

/// Where a work queue reports its depth and how long keys waited before a worker took them.
/// The default feeds swift-metrics: the gauge `capstan_workqueue_depth` and the timer
/// `capstan_workqueue_wait_seconds` (a histogram in seconds under swift-prometheus).
public struct WorkQueueMetrics: Sendable {
    public var depthChanged: @Sendable (Int) -> Void
    public var keyWaited: @Sendable (Duration) -> Void

    public init(depthChanged: @escaping @Sendable (Int) -> Void, keyWaited: @escaping @Sendable (Duration) -> Void) {
        self.depthChanged = depthChanged
        self.keyWaited = keyWaited
    }

    public static let none = WorkQueueMetrics(depthChanged: { _ in }, keyWaited: { _ in })

    public static func swiftMetrics(dimensions: [(String, String)] = [], factory: (any MetricsFactory)? = nil) -> WorkQueueMetrics {
        let factory = factory ?? MetricsSystem.factory
        let depth = Gauge(label: "capstan_workqueue_depth", dimensions: dimensions, factory: factory)
        let wait = Metrics.Timer(label: "capstan_workqueue_wait_seconds", dimensions: dimensions, factory: factory)
        return WorkQueueMetrics(
            depthChanged: { depth.record($0) },
            keyWaited: { duration in
                let (seconds, attoseconds) = duration.components
                wait.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
            }
        )
    }
}
