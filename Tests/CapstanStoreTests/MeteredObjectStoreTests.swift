import CapstanStore
import MetricsTestKit
import Testing

@Suite struct MeteredObjectStoreTests {
    @Test func countsEveryCallByOperationAndResultAndTimesIt() async throws {
        let metrics = TestMetrics()
        let folder = try ScratchFolder.make()
        defer { ScratchFolder.remove(folder) }
        let store = MeteredObjectStore(try FileStore(path: folder), factory: metrics)

        try await store.put("k.json", [1])
        _ = try await store.get("k.json")
        _ = try await store.getIfPresent("missing.json")
        _ = try await store.head("missing.json")
        _ = try await store.list(prefix: "")
        await #expect(throws: StoreError.self) { try await store.put("../escape", [1]) }

        func requests(_ op: String, _ result: String) -> Int64 {
            metrics.counterTotal(label: "capstan_store_requests_total", dimensions: [("op", op), ("result", result)])
        }
        #expect(requests("put", "ok") == 1)
        #expect(requests("get", "ok") == 1)
        #expect(requests("get", "not_found") == 1)
        #expect(requests("head", "not_found") == 1)
        #expect(requests("list", "ok") == 1)
        #expect(requests("put", "error") == 1)
        let putTimer = try metrics.expectTimer("capstan_store_request_duration_seconds", [("op", "put")])
        #expect(putTimer.values.count == 2)
        #expect(putTimer.values.allSatisfy { $0 >= 0 })
    }
}
