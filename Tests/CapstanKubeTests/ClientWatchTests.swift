import CapstanAPI
import CapstanKube
import Testing

@Suite struct ClientWatchTests {
    @Test func watchResumesFromTheLastResourceVersion() async throws {
        try await withSimCluster { cluster in
            let client = cluster.client
            let created = try await client.create(.configMaps, namespace: "default", object: configMap("w", data: ["n": "0"]))
            let start = try #require(created.kubeMeta.resourceVersion)

            // First watch: sees one change, then the client drops it.
            var lastSeen = start
            do {
                let stream = try await client.watch(.configMaps, namespace: "default",
                                                    options: WatchOptions(resourceVersion: start, allowWatchBookmarks: false))
                _ = try await client.patch(.configMaps, namespace: "default", name: "w", patch: .merge(["data": ["n": "1"]]))
                for try await event in stream {
                    #expect(event.type == .modified)
                    #expect(event.object["data"]?["n"] == "1")
                    lastSeen = try #require(event.object.kubeMeta.resourceVersion)
                    break
                }
            }

            // Changes made while nobody watches are delivered, in order, to a watch resumed from there.
            _ = try await client.patch(.configMaps, namespace: "default", name: "w", patch: .merge(["data": ["n": "2"]]))
            _ = try await client.create(.configMaps, namespace: "default", object: configMap("x"))
            _ = try await client.delete(.configMaps, namespace: "default", name: "w")

            let resumed = try await client.watch(.configMaps, namespace: "default",
                                                 options: WatchOptions(resourceVersion: lastSeen, allowWatchBookmarks: false))
            var seen: [String] = []
            for try await event in resumed {
                seen.append("\(event.type.rawValue) \(event.object.kubeMeta.name ?? "?")")
                if seen.count == 3 { break }
            }
            #expect(seen == ["MODIFIED w", "ADDED x", "DELETED w"])
        }
    }

    /// Ignored key paths reach inside objects: one annotation (a key with dots in it) and
    /// one data key are left out of the event, their neighbours kept.
    @Test func ignoredPathsLeaveOutNestedFieldsOnly() async throws {
        try await withSimCluster { cluster in
            let client = cluster.client
            let applied = "kubectl.kubernetes.io/last-applied-configuration"
            var object = configMap("big", data: ["keep": "1", "drop": "2"])
            object["metadata"]?["annotations"] = [applied: "{}", "team": "ml"]
            let created = try await client.create(.configMaps, namespace: "default", object: configMap("before"))
            let stream = try await client.watch(.configMaps, namespace: "default", options: WatchOptions(
                resourceVersion: created.kubeMeta.resourceVersion, allowWatchBookmarks: false,
                ignoredPaths: [["metadata", "annotations", applied], ["data", "drop"]]))
            _ = try await client.create(.configMaps, namespace: "default", object: object)
            for try await event in stream {
                #expect(event.object["metadata"]?["annotations"] == ["team": "ml"])
                #expect(event.object["data"] == ["keep": "1"])
                #expect(event.object.kubeMeta.name == "big")
                break
            }
        }
    }

    /// With `deletionsWithoutSpecAndStatus`, as informers watch, a DELETED event still names
    /// the object and its version but carries neither spec nor status; other events are whole.
    @Test func deletionsCanLeaveOutSpecAndStatus() async throws {
        try await withSimCluster { cluster in
            let client = cluster.client
            let before = try await client.create(.configMaps, namespace: "default", object: configMap("before"))
            for trimmed in [true, false] {
                let name = trimmed ? "trimmed" : "whole"
                let stream = try await client.watch(.pods, namespace: "default", options: WatchOptions(
                    resourceVersion: before.kubeMeta.resourceVersion, allowWatchBookmarks: false,
                    deletionsWithoutSpecAndStatus: trimmed))
                _ = try await client.create(.pods, namespace: "default", object: pod(name))
                // The fixture's pod is on a node no kubelet serves: only a zero grace period removes it.
                _ = try await client.delete(.pods, namespace: "default", name: name, options: DeleteOptions(gracePeriodSeconds: 0))
                var events: [WatchEvent] = []
                for try await event in stream where event.object.kubeMeta.name == name {
                    events.append(event)
                    if event.type == .deleted { break }
                }
                #expect(events.map(\.type) == [.added, .deleted])
                #expect(events.first?.object["spec"]?["containers"] != nil)
                let deleted = try #require(events.last)
                #expect(deleted.object.kubeMeta.resourceVersion != nil)
                #expect((deleted.object["spec"] == nil) == trimmed)
                #expect((deleted.object["status"] == nil) == trimmed)
            }
        }
    }

    @Test func bookmarksCarryProgress() async throws {
        try await withSimCluster(["--bookmark-interval", "1"]) { cluster in
            let created = try await cluster.client.create(.configMaps, namespace: "default", object: configMap("b"))
            let stream = try await cluster.client.watch(.configMaps, namespace: "default",
                                                        options: WatchOptions(resourceVersion: created.kubeMeta.resourceVersion,
                                                                              allowWatchBookmarks: true))
            let event = try await firstEvent(of: stream).get()
            #expect(event?.type == .bookmark)
            let version = try #require(event?.object.kubeMeta.resourceVersion)
            #expect(Int(version)! >= Int(created.kubeMeta.resourceVersion!)!)
        }
    }

    @Test func serverTimeoutEndsTheStream() async throws {
        try await withSimCluster { cluster in
            let list = try await cluster.client.list(.configMaps, namespace: "default")
            let stream = try await cluster.client.watch(.configMaps, namespace: "default",
                                                        options: WatchOptions(resourceVersion: list.resourceVersion, timeoutSeconds: 1,
                                                                              allowWatchBookmarks: false))
            let started = ContinuousClock.now
            // Generous bounds: CI machines may be loaded, and only "ends by itself, long before
            // the test's own limit" matters.
            let result = await firstEvent(of: stream, timeout: .seconds(60))
            #expect(try result.get() == nil, "the stream should end without events")
            #expect(ContinuousClock.now - started < .seconds(30))
        }
    }

    @Test func expiredResourceVersionIsGone() async throws {
        try await withSimCluster(["--watch-history", "5"]) { cluster in
            let first = try await cluster.client.create(.configMaps, namespace: "default", object: configMap("old"))
            for i in 0..<12 {
                _ = try await cluster.client.patch(.configMaps, namespace: "default", name: "old", patch: .merge(["data": ["i": .string("\(i)")]]))
            }
            // kube-apiserver answers 200 and an ERROR event; an immediate 410 is accepted as well.
            let gone: KubeError?
            do {
                let stream = try await cluster.client.watch(.configMaps, namespace: "default",
                                                            options: WatchOptions(resourceVersion: first.kubeMeta.resourceVersion))
                let event = try await firstEvent(of: stream).get()
                #expect(event?.type == .error)
                gone = event?.error
            } catch let error as KubeError {
                gone = error
            }
            #expect(gone?.isGone == true, "\(String(describing: gone))")
            #expect(gone?.code == 410)
        }
    }
}
