import CapstanAPI
import CapstanKube
import Foundation
import TestSupport
import Testing

@Suite struct EventRecorderTests {
    @Test func repeatsAreAggregatedIntoOneEvent() async throws {
        try await withSimCluster { cluster in
            let client = cluster.client
            let owner = try await client.create(.configMaps, namespace: "default", object: configMap("subject"))
            let recorder = EventRecorder(client: client, component: "capstan-test", instance: "host-1")
            let reference = ObjectReference(owner)
            #expect(reference.kind == "ConfigMap" && reference.uid == owner.kubeMeta.uid)

            await recorder.record(reference, reason: "NodeStarted", message: "node prep started")
            await recorder.record(reference, type: .warning, reason: "NodeRetrying", message: "attempt 0 failed: OOMKilled")
            await recorder.record(reference, type: .warning, reason: "NodeRetrying", message: "attempt 0 failed: OOMKilled")
            await recorder.record(reference, type: .warning, reason: "NodeRetrying", message: "attempt 0 failed: OOMKilled")

            let events = try await client.listAll(.events, namespace: "default").items
                .filter { $0["involvedObject"]?["uid"]?.stringValue == owner.kubeMeta.uid }
            #expect(events.count == 2)
            let retrying = try #require(events.first { $0["reason"] == "NodeRetrying" })
            #expect(retrying["count"] == 3)
            #expect(retrying["type"] == "Warning")
            #expect(retrying["involvedObject"]?["name"] == "subject")
            #expect(retrying["source"]?["component"] == "capstan-test")
            let started = try #require(events.first { $0["reason"] == "NodeStarted" })
            #expect(started["count"] == 1)
            #expect(started["type"] == "Normal")

            // kubectl shows them as it would on a real cluster.
            let described = try await cluster.sim.kubectl("get", "events", "-n", "default", "-o", "json")
            #expect(described.exitCode == 0, "\(described)")
            #expect(described.stdout.contains("attempt 0 failed: OOMKilled"))
        }
    }

    /// Past `maxTracked` remembered events the least recently seen are forgotten: a repeat of
    /// a recent one still raises its count, a repeat of a forgotten one is a new Event.
    @Test func aFullRecorderForgetsTheOldestAndStillAggregatesRecentOnes() async throws {
        try await withSimCluster { cluster in
            let client = cluster.client
            let owner = try await client.create(.configMaps, namespace: "default", object: configMap("busy"))
            let reference = ObjectReference(owner)
            let clock = SharedMutex(Date(timeIntervalSince1970: 1_800_000_000))
            let recorder = EventRecorder(client: client, maxTracked: 4, wallClock: {
                clock.withLock { now in
                    now += 1
                    return now
                }
            })
            for attempt in 0..<5 {
                await recorder.record(reference, reason: "NodeRetrying", message: "attempt \(attempt) failed")
            }
            await recorder.record(reference, reason: "NodeRetrying", message: "attempt 4 failed")
            await recorder.record(reference, reason: "NodeRetrying", message: "attempt 0 failed")

            let events = try await client.listAll(.events, namespace: "default").items
                .filter { $0["involvedObject"]?["uid"]?.stringValue == owner.kubeMeta.uid }
            let counts = events.map { "\($0["message"]?.stringValue ?? ""): \($0["count"]?.intValue ?? 0)" }.sorted()
            #expect(counts == [
                "attempt 0 failed: 1", "attempt 0 failed: 1", "attempt 1 failed: 1", "attempt 2 failed: 1", "attempt 3 failed: 1",
                "attempt 4 failed: 2",
            ])
        }
    }
}
