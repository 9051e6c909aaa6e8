import CapstanAPI
import CapstanKube
import Prometheus
import TestSupport
import Testing

@Suite struct LeaderElectionTests {
    /// Short timings so the tests take seconds; `lease` seconds to expiry.
    private func config(_ identity: String, release: Bool = true, lease: Int = 2) -> LeaderElectionConfig {
        LeaderElectionConfig(leaseName: "capstan-controller", namespace: "kube-system", identity: identity,
                             leaseDuration: .seconds(lease), renewDeadline: .milliseconds(lease * 750), retryPeriod: .milliseconds(200),
                             releaseOnCancel: release)
    }

    @Test func oneLeaderAtATimeAndHandoverOnRelease() async throws {
        try await withSimCluster { cluster in
            let client = cluster.client
            let leading = SharedMutex(Set<String>())
            let overlaps = SharedMutex(0)
            // A long lease, so a handover well inside it can only come from the release.
            let first = LeaderElector(client: client, config: config("first", lease: 15))
            let second = LeaderElector(client: client, config: config("second", lease: 15))

            @Sendable func work(_ name: String) async {
                let clash = leading.withLock { set -> Bool in
                    set.insert(name)
                    return set.count > 1
                }
                if clash { overlaps.withLock { $0 += 1 } }
                while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(20)) }
                leading.withLock { _ = $0.remove(name) }
            }

            let firstRun = Task { await first.run { await work("first") } }
            #expect(await eventually { first.isLeader })
            let secondRun = Task { await second.run { await work("second") } }
            // The second candidate sees the first as holder and keeps trying without winning
            // while the first renews.
            #expect(await eventually(timeout: .seconds(30)) { second.observedLeader == "first" })
            try await Task.sleep(for: .seconds(3))
            #expect(first.isLeader)
            #expect(!second.isLeader)
            #expect(second.observedLeader == "first")

            let lease = try await client.get(.leases, namespace: "kube-system", name: "capstan-controller")
            #expect(lease["spec"]?["holderIdentity"] == "first")
            #expect(lease["spec"]?["leaseDurationSeconds"] == 15)
            #expect(lease["spec"]?["renewTime"]?.stringValue?.hasSuffix("Z") == true)

            // Shutting the leader down releases the lease (an empty holder, so the other need not
            // wait for it to expire), and the other takes it over. No time limit is asserted:
            // on a loaded machine the take-over's own requests may take seconds.
            firstRun.cancel()
            await firstRun.value
            #expect(!first.isLeader)
            let releasedLease = try await client.get(.leases, namespace: "kube-system", name: "capstan-controller")
            #expect(releasedLease["spec"]?["holderIdentity"] == "" || releasedLease["spec"]?["holderIdentity"] == "second",
                    "released, or already taken over: \(releasedLease)")
            #expect(await eventually(timeout: .seconds(60)) { second.isLeader })
            let taken = try await client.get(.leases, namespace: "kube-system", name: "capstan-controller")
            #expect(taken["spec"]?["holderIdentity"] == "second")
            #expect((taken["spec"]?["leaseTransitions"]?.intValue ?? 0) >= 1)
            #expect(overlaps.withLock { $0 } == 0)
            secondRun.cancel()
            await secondRun.value
        }
    }

    @Test func aVanishedLeaderIsReplacedAfterTheLeaseExpires() async throws {
        try await withSimCluster { cluster in
            let client = cluster.client
            // A leader that dies without releasing: its renewals stop, the lease stays.
            let crashed = LeaderElector(client: client, config: config("crashed", release: false))
            let crashedRun = Task { await crashed.run { while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(20)) } } }
            #expect(await eventually { crashed.isLeader })
            crashedRun.cancel()
            await crashedRun.value
            let stopped = ContinuousClock.now

            let successor = LeaderElector(client: client, config: config("successor"))
            let successorRun = Task { await successor.run { while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(20)) } } }
            #expect(await eventually(timeout: .seconds(60)) { successor.isLeader })
            // Not before the 2 s lease has gone unrenewed.
            #expect(ContinuousClock.now - stopped >= .seconds(2))
            successorRun.cancel()
            await successorRun.value
        }
    }

    @Test func leaderStepsDownWhenItCannotRenew() async throws {
        let cluster = try await SimCluster.start()
        let registry = PrometheusCollectorRegistry()
        let elector = LeaderElector(client: cluster.client, config: config("lonely"), metricsFactory: PrometheusMetricsFactory(registry: registry))
        let workCancelled = SharedMutex(false)
        let stoppedCalled = SharedMutex(false)
        let run = Task {
            await elector.run(onStartedLeading: {
                while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(20)) }
                workCancelled.withLock { $0 = true }
            }, onStoppedLeading: {
                stoppedCalled.withLock { $0 = true }
            })
        }
        #expect(await eventually { elector.isLeader })
        #expect(registry.emitToString().contains("capstan_leader 1"), "\(registry.emitToString())")
        // The API server goes away: renewals fail and the leader must stop within the renew deadline.
        try await cluster.sim.stop()
        let lost = ContinuousClock.now
        await run.value
        #expect(!elector.isLeader)
        #expect(workCancelled.withLock { $0 })
        #expect(stoppedCalled.withLock { $0 })
        #expect(registry.emitToString().contains("capstan_leader 0"))
        // The renew deadline is 10 s; the whole suite on two cores can delay the elector's own
        // tasks by many seconds, so this checks that it stops rather than how fast.
        #expect(ContinuousClock.now - lost < .seconds(60))
        try await cluster.client.shutdown()
    }
}
