import CapstanAPI
import CapstanKube
import CapstanSupport
import Testing

@Suite struct ClientFaultTests {
    @Test func retriesCarryRequestsThroughInjectedFaults() async throws {
        let options = KubeClientOptions(qps: 0, retry: KubeRetryPolicy(maxRetries: 12, backoff: Backoff(initial: .milliseconds(20), maximum: .milliseconds(500))))
        try await withSimCluster(["--fault-rate", "0.3"], options: options) { cluster in
            let client = cluster.client
            for i in 0..<20 {
                _ = try await client.create(.configMaps, namespace: "default", object: configMap("f\(i)", data: ["v": "0"]))
                _ = try await client.patch(.configMaps, namespace: "default", name: "f\(i)", patch: .merge(["data": ["v": "1"]]))
                let fetched = try await client.get(.configMaps, namespace: "default", name: "f\(i)")
                #expect(fetched["data"]?["v"] == "1")
            }
            let all = try await client.listAll(.configMaps, namespace: "default", pageSize: 7)
            #expect(all.items.count == 20)
            _ = try await client.delete(.configMaps, namespace: "default", name: "f0")

            let codes = try cluster.auditCodes()
            let injected = codes.filter { $0 == 500 || $0 == 429 }.count
            #expect(injected > 5, "the sim should have failed some of the \(codes.count) requests")
            // Creates with fixed names may be repeated after a 500; none answered AlreadyExists
            // here because the sim's injected faults happen before the request is applied.
            #expect(!codes.contains(409))
        }
    }

    @Test func withoutRetriesTheFaultsSurface() async throws {
        try await withSimCluster(["--fault-rate", "0.5"], options: KubeClientOptions(qps: 0, retry: .none)) { cluster in
            var failures: [KubeError] = []
            for i in 0..<30 {
                do {
                    _ = try await cluster.client.get(.namespaces, namespace: nil, name: "default")
                } catch let error as KubeError {
                    failures.append(error)
                    _ = i
                }
            }
            #expect(!failures.isEmpty)
            #expect(failures.allSatisfy { $0.isServerError || $0.isTooManyRequests })
            #expect(failures.contains { $0.isTooManyRequests && $0.retryAfter == .seconds(1) })
        }
    }

    @Test func clientRateLimitSpacesRequests() async throws {
        try await withSimCluster(options: KubeClientOptions(qps: 20, burst: 5)) { cluster in
            let started = ContinuousClock.now
            for _ in 0..<15 {
                _ = try await cluster.client.get(.namespaces, namespace: nil, name: "default")
            }
            // 5 at once, then 10 more at 20 per second: at least half a second.
            let elapsed = ContinuousClock.now - started
            #expect(elapsed >= .milliseconds(450), "\(elapsed)")
        }
    }
}
