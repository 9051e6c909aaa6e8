import Metrics

/// Wraps a store and records every call in the SPEC §7 metrics:
/// `capstan_store_requests_total{op,result}` (result `ok`, `not_found` or `error`) and
/// `capstan_store_request_duration_seconds{op}`. The controller's Prometheus exporter picks
/// them up through the swift-metrics factory it bootstraps.
public struct MeteredObjectStore: ObjectStore {
    public let base: any ObjectStore
    /// nil: the process-wide `MetricsSystem.factory`, read at each call, so a store opened
    /// before the metrics system is bootstrapped still reports to the exporter.
    let factory: (any MetricsFactory)?

    public init(_ base: any ObjectStore, factory: (any MetricsFactory)? = nil) {
        self.base = base
        self.factory = factory
    }

    public var url: StoreURL { base.url }

    public func get(_ key: String) async throws -> [UInt8] {
        try await measure("get") { try await base.get(key) }
    }

    public func put(_ key: String, _ bytes: [UInt8]) async throws {
        try await measure("put") { try await base.put(key, bytes) }
    }

    public func head(_ key: String) async throws -> ObjectInfo? {
        try await measure("head", notFound: { $0 == nil }) { try await base.head(key) }
    }

    public func list(prefix: String, delimiter: String?) async throws -> ObjectListing {
        try await measure("list") { try await base.list(prefix: prefix, delimiter: delimiter) }
    }

    public func delete(_ key: String) async throws {
        try await measure("delete") { try await base.delete(key) }
    }

    public func shutdown() async throws {
        try await base.shutdown()
    }

    private func measure<T>(_ op: String, notFound: (T) -> Bool = { _ in false },
                            _ body: () async throws -> T) async throws -> T {
        let start = ContinuousClock.now
        do {
            let value = try await body()
            record(op, result: notFound(value) ? "not_found" : "ok", since: start)
            return value
        } catch let error as StoreError where error.code == .noSuchKey {
            record(op, result: "not_found", since: start)
            throw error
        } catch {
            record(op, result: "error", since: start)
            throw error
        }
    }

    private func record(_ op: String, result: String, since start: ContinuousClock.Instant) {
        let factory = self.factory ?? MetricsSystem.factory
        let elapsed = (ContinuousClock.now - start).components
        let nanoseconds = elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000
        Timer(label: "capstan_store_request_duration_seconds", dimensions: [("op", op)],
              preferredDisplayUnit: .seconds, factory: factory)
            .recordNanoseconds(nanoseconds)
        Counter(label: "capstan_store_requests_total", dimensions: [("op", op), ("result", result)], factory: factory)
            .increment()
    }
}
