import CapstanAPI
import CapstanKube
import TestSupport
import Testing

@Suite struct ShardElectionTests {
    private func template(_ identity: String) -> LeaderElectionConfig {
        // Long enough that a loaded machine never loses a lease by a late renewal; a stopped
        // holder releases its lease, so the standby does not wait for it to expire.
        LeaderElectionConfig(leaseName: "capstan-shard", namespace: "kube-system", identity: identity,
                             leaseDuration: .seconds(15), renewDeadline: .seconds(10), retryPeriod: .milliseconds(200))
    }

    /// Three replicas, two shards: each shard held by one replica, the third waits; when a
    /// holder stops, the waiting one takes the shard it gave back.
    @Test func eachShardHasOneHolderAndAStandbyTakesAFreedOne() async throws {
        try await withSimCluster { cluster in
            let holding = SharedMutex([String: Int]())
            let clashes = SharedMutex(0)
            @Sendable func work(_ name: String, _ shard: Int) async {
                let clash = holding.withLock { held -> Bool in
                    let taken = held.values.contains(shard)
                    held[name] = shard
                    return taken
                }
                if clash { clashes.withLock { $0 += 1 } }
                while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(20)) }
                holding.withLock { _ = $0.removeValue(forKey: name) }
            }
            var runs: [String: Task<Void, Never>] = [:]
            for name in ["a", "b", "c"] {
                let elector = ShardElector(client: cluster.client, template: template(name), shards: 2)
                runs[name] = Task { await elector.run { shard in await work(name, shard) } }
            }
            #expect(await eventually(timeout: .seconds(60)) { holding.withLock { $0.count } == 2 })
            try await Task.sleep(for: .seconds(1))
            let first = holding.withLock { $0 }
            #expect(first.count == 2 && Set(first.values) == [0, 1], "one holder per shard: \(first)")
            for shard in 0..<2 {
                let lease = try await cluster.client.get(.leases, namespace: "kube-system", name: ShardElector.leaseName(prefix: "capstan-shard", shard: shard))
                let holder = lease["spec"]?["holderIdentity"]?.stringValue
                #expect(holder.flatMap { first[$0] } == shard, "lease \(shard) names its holder: \(String(describing: holder))")
            }

            let (stopped, freed) = try #require(first.first)
            runs[stopped]?.cancel()
            await runs[stopped]?.value
            let standby = try #require(Set(["a", "b", "c"]).subtracting(first.keys).first)
            #expect(await eventually(timeout: .seconds(60)) { holding.withLock { $0[standby] } == freed },
                    "the standby \(standby) took shard \(freed)")
            #expect(clashes.withLock { $0 } == 0, "never two holders of one shard")
            for run in runs.values { run.cancel(); await run.value }
        }
    }
}
