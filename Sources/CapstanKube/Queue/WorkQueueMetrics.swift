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

    /// - Parameter factory: nil uses `MetricsSystem.factory` as it is at each report, so a
    ///   queue made before metrics are bootstrapped still reports to the right place.
    public static func swiftMetrics(dimensions: [(String, String)] = [], factory: (any MetricsFactory)? = nil) -> WorkQueueMetrics {
        WorkQueueMetrics(
            depthChanged: { depth in
                Gauge(label: "capstan_workqueue_depth", dimensions: dimensions, factory: factory ?? MetricsSystem.factory).record(depth)
            },
            keyWaited: { duration in
                let (seconds, attoseconds) = duration.components
                Metrics.Timer(label: "capstan_workqueue_wait_seconds", dimensions: dimensions, factory: factory ?? MetricsSystem.factory)
                    .recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
            }
        )
    }
}
