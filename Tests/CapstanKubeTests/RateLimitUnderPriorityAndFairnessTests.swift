import CapstanAPI
import CapstanKube
import Testing

/// `capstan run`'s default: a client-side limit that goes once the API server shows it applies
/// API Priority and Fairness, and stays against one that does not.
@Suite struct RateLimitUnderPriorityAndFairnessTests {
    /// 1 request a second after the first: 6 requests take 5 s under the limit.
    private let options = KubeClientOptions(qps: 1, burst: 1, unlimitedUnderPriorityAndFairness: true)

    private func sixReads(_ client: KubeClient) async throws -> Duration {
        let started = ContinuousClock.now
        for _ in 0..<6 { _ = try await client.list(.pods, namespace: "default") }
        return ContinuousClock.now - started
    }

    @Test func anAPIServerWithPriorityAndFairnessLiftsTheLimit() async throws {
        try await withSimCluster(["--nodes", "0"], options: options) { cluster in
            #expect(cluster.client.rateLimit == 1, "limited until an answer shows APF")
            let took = try await sixReads(cluster.client)
            #expect(cluster.client.rateLimit == nil)
            #expect(took < .seconds(4), "no request waited a second for its turn: \(took)")
            #expect(cluster.client.rateLimitRecentWait == .zero)
        }
    }

    @Test func anAPIServerWithoutItKeepsTheLimitAndTheWaitsShow() async throws {
        try await withSimCluster(["--nodes", "0", "--no-priority-and-fairness"], options: options) { cluster in
            let took = try await sixReads(cluster.client)
            #expect(cluster.client.rateLimit == 1)
            #expect(took >= .seconds(4.5), "five of the six waited a second each: \(took)")
            #expect(cluster.client.rateLimitRecentWait >= .milliseconds(900), "\(cluster.client.rateLimitRecentWait)")
        }
    }
}
