import CapstanAPI
import CapstanKube
import Testing

/// `capstan run`'s default: a client-side limit that goes once the API server shows it applies
/// API Priority and Fairness, and stays against one that does not. Decided by the answers'
/// headers, so nothing here depends on how fast the machine is (the waits themselves are
/// checked on simulated time in RequestRateLimiterTests).
@Suite struct RateLimitUnderPriorityAndFairnessTests {
    private let options = KubeClientOptions(qps: 1, burst: 1, unlimitedUnderPriorityAndFairness: true)

    @Test func anAPIServerWithPriorityAndFairnessLiftsTheLimit() async throws {
        try await withSimCluster(["--nodes", "0"], options: options) { cluster in
            #expect(cluster.client.rateLimit == 1, "limited until an answer shows APF")
            for _ in 0..<4 { _ = try await cluster.client.list(.pods, namespace: "default") }
            #expect(cluster.client.rateLimit == nil)
            #expect(cluster.client.rateLimitRecentWait == .zero, "no request waited for a token")
        }
    }

    @Test func anAPIServerWithoutItKeepsTheLimit() async throws {
        try await withSimCluster(["--nodes", "0", "--no-priority-and-fairness"], options: options) { cluster in
            for _ in 0..<2 { _ = try await cluster.client.list(.pods, namespace: "default") }
            #expect(cluster.client.rateLimit == 1)
        }
    }

    @Test func aFixedLimitStaysWhateverTheServer() async throws {
        try await withSimCluster(["--nodes", "0"], options: KubeClientOptions(qps: 1, burst: 1)) { cluster in
            for _ in 0..<2 { _ = try await cluster.client.list(.pods, namespace: "default") }
            #expect(cluster.client.rateLimit == 1)
        }
    }
}
