import CapstanAPI
import CapstanKube
import CapstanSupport
import TestSupport
import Testing

/// What the tests keep of each object: enough to compare the cache with the server.
struct CachedObjectSummary: Sendable, Equatable {
    var name: String
    var resourceVersion: String
    var group: String

    init?(_ object: JSONValue) {
        guard let name = object.kubeMeta.name, let version = object.kubeMeta.resourceVersion else { return nil }
        self.name = name
        resourceVersion = version
        group = object.kubeMeta.labels["group"] ?? ""
    }
}

private func makeInformer(_ client: KubeClient, _ resource: ResourceType = .configMaps, options: InformerOptions = InformerOptions()) -> Informer<CachedObjectSummary> {
    Informer(client: client, resource: resource, namespace: "default", labelSelector: "group",
             indexes: ["group": { [$0.group] }], options: options, transform: CachedObjectSummary.init)
}

/// The server's view as name → resourceVersion, read with a client that retries hard.
private func serverState(_ client: KubeClient) async throws -> [String: String] {
    let list = try await client.listAll(.configMaps, namespace: "default", options: ListOptions(labelSelector: "group"))
    return Dictionary(uniqueKeysWithValues: list.items.map { ($0.kubeMeta.name!, $0.kubeMeta.resourceVersion!) })
}

private func cacheState(_ informer: Informer<CachedObjectSummary>) -> [String: String] {
    Dictionary(uniqueKeysWithValues: informer.list().map { ($0.name, $0.resourceVersion) })
}

@Suite struct InformerTests {
    /// A process told to stop while its API server never answers a list stops: waiting for
    /// the first list ends with the task.
    @Test func waitingForTheFirstListEndsWhenCancelled() async throws {
        try await withSimCluster(["--nodes", "0", "--fault-rate", "1"], options: KubeClientOptions(qps: 0, retry: .none)) { cluster in
            let informer = makeInformer(cluster.client)
            let run = Task { await informer.run() }
            let returned = SharedMutex(false)
            let waiting = Task {
                await informer.waitForSync()
                returned.withLock { $0 = true }
            }
            try await Task.sleep(for: .milliseconds(300))
            #expect(!returned.withLock { $0 }, "no list has succeeded, so it still waits")
            waiting.cancel()
            #expect(await eventually { returned.withLock { $0 } }, "waitForSync returned once its task was cancelled")
            #expect(!informer.hasSynced, "no list ever succeeded")
            run.cancel()
            await run.value
        }
    }

    /// A sharded controller narrows its pod informer once it knows its shard: the list and
    /// the watch both leave out what the added requirement excludes, and keep objects
    /// without the label.
    @Test func aNarrowedInformerListsAndWatchesOnlyWhatBothSelectorsMatch() async throws {
        try await withSimCluster { cluster in
            let client = cluster.client
            let shard = "capstan.dev/shard"
            let existing: [(String, [String: JSONValue])] = [
                ("mine", ["group": "a", shard: "0-of-2"]), ("theirs", ["group": "a", shard: "1-of-2"]),
                ("unsharded", ["group": "a"]), ("other-count", ["group": "a", shard: "1-of-3"]),
                ("no-group", [shard: "0-of-2"]),
            ]
            for (name, labels) in existing {
                _ = try await client.create(.configMaps, namespace: "default", object: configMap(name, labels: labels))
            }
            let informer = makeInformer(client)
            informer.narrow(toLabelSelector: "\(shard) notin (1-of-2)")
            let run = Task { await informer.run() }
            await informer.waitForSync()
            #expect(Set(informer.list().map(\.name)) == ["mine", "unsharded", "other-count"])

            _ = try await client.create(.configMaps, namespace: "default", object: configMap("theirs-later", labels: ["group": "a", shard: "1-of-2"]))
            _ = try await client.create(.configMaps, namespace: "default", object: configMap("mine-later", labels: ["group": "a", shard: "0-of-2"]))
            // Watch events arrive in order, so once the later one is in, the earlier one was passed over.
            #expect(await eventually { informer.get(namespace: "default", name: "mine-later") != nil })
            #expect(informer.get(namespace: "default", name: "theirs-later") == nil, "the other shard's object is not watched")
            run.cancel()
            await run.value
        }
    }

    /// A sharded controller keeps its Workflows by a hash of their UIDs, which no selector can
    /// express: the informer keeps what its metadata test passes, from the list and the watch,
    /// and an object that stops passing leaves the cache as a deletion.
    @Test func anInformerNarrowedByMetadataKeepsOnlyWhatPasses() async throws {
        try await withSimCluster { cluster in
            let client = cluster.client
            for (name, keep) in [("kept", "yes"), ("refused", "no")] {
                _ = try await client.create(.configMaps, namespace: "default", object: configMap(name, labels: ["group": "a", "keep": .string(keep)]))
            }
            let informer = makeInformer(client)
            informer.narrow(toMetadataPassing: { $0["labels"]?["keep"]?.stringValue == "yes" })
            let run = Task { await informer.run() }
            await informer.waitForSync()
            #expect(Set(informer.list().map(\.name)) == ["kept"], "the list keeps only what passes")
            var events = informer.events().makeAsyncIterator()
            _ = await events.next()

            _ = try await client.create(.configMaps, namespace: "default", object: configMap("refused-later", labels: ["group": "a", "keep": "no"]))
            _ = try await client.create(.configMaps, namespace: "default", object: configMap("kept-later", labels: ["group": "a", "keep": "yes"]))
            #expect(await eventually { informer.get(namespace: "default", name: "kept-later") != nil })
            #expect(informer.get(namespace: "default", name: "refused-later") == nil, "a refused object's events are passed over")
            if case .added(let key, _) = await events.next() { #expect(key == "default/kept-later") } else { Issue.record("expected kept-later to be added") }

            _ = try await client.patch(.configMaps, namespace: "default", name: "kept", patch: .merge(["metadata": ["labels": ["keep": "no"]]]))
            if case .deleted(let key, _) = await events.next() {
                #expect(key == "default/kept", "an object that stops passing leaves as a deletion")
            } else {
                Issue.record("expected kept to be deleted from the cache")
            }
            _ = try await client.patch(.configMaps, namespace: "default", name: "refused", patch: .merge(["metadata": ["labels": ["keep": "yes"]]]))
            #expect(await eventually { informer.get(namespace: "default", name: "refused") != nil }, "an object that starts passing is added")
            #expect(Set(informer.list().map(\.name)) == ["kept-later", "refused"])
            run.cancel()
            await run.value
        }
    }

    @Test func syncsIndexesAndDeliversChanges() async throws {
        try await withSimCluster { cluster in
            let client = cluster.client
            for i in 0..<6 {
                _ = try await client.create(.configMaps, namespace: "default", object: configMap("c\(i)", labels: ["group": i < 4 ? "a" : "b"]))
            }
            _ = try await client.create(.configMaps, namespace: "default", object: configMap("unlabelled"))
            let informer = makeInformer(client)
            let run = Task { await informer.run() }
            await informer.waitForSync()
            #expect(informer.hasSynced)
            #expect(informer.count == 6, "the label selector keeps unlabelled objects out")
            #expect(Set(informer.byIndex("group", "a").map(\.name)) == ["c0", "c1", "c2", "c3"])
            #expect(informer.get(namespace: "default", name: "c5")?.group == "b")

            let events = informer.events()
            var iterator = events.makeAsyncIterator()
            var replayed = Set<String>()
            for _ in 0..<6 {
                if case .added(let key, _) = await iterator.next() { replayed.insert(key) }
            }
            #expect(replayed == Set((0..<6).map { "default/c\($0)" }))

            _ = try await client.patch(.configMaps, namespace: "default", name: "c0", patch: .merge(["metadata": ["labels": ["group": "b"]]]))
            _ = try await client.delete(.configMaps, namespace: "default", name: "c1")
            _ = try await client.create(.configMaps, namespace: "default", object: configMap("c9", labels: ["group": "a"]))

            var described: [String] = []
            for _ in 0..<3 {
                switch await iterator.next() {
                case .updated(let key, let old, let new)?: described.append("updated \(key) \(old.group)->\(new.group)")
                case .deleted(let key, _)?: described.append("deleted \(key)")
                case .added(let key, _)?: described.append("added \(key)")
                case nil: described.append("end")
                }
            }
            #expect(described == ["updated default/c0 a->b", "deleted default/c1", "added default/c9"])
            #expect(Set(informer.byIndex("group", "a").map(\.name)) == ["c2", "c3", "c9"])
            #expect(Set(informer.byIndex("group", "b").map(\.name)) == ["c0", "c4", "c5"])

            // An object whose labels stop matching the selector leaves the cache, as on a real
            // API server (the watch reports it DELETED); one that starts matching joins it.
            _ = try await client.patch(.configMaps, namespace: "default", name: "c2", patch: .merge(["metadata": ["labels": ["group": nil]]]))
            _ = try await client.patch(.configMaps, namespace: "default", name: "unlabelled", patch: .merge(["metadata": ["labels": ["group": "b"]]]))
            #expect(await eventually { informer.get("default/c2") == nil && informer.get("default/unlabelled") != nil })
            run.cancel()
            await run.value
        }
    }

    @Test func convergesThroughWatchCutsAndFailures() async throws {
        let options = KubeClientOptions(qps: 0, retry: KubeRetryPolicy(maxRetries: 15, backoff: Backoff(initial: .milliseconds(10), maximum: .milliseconds(300))))
        try await withSimCluster(["--fault-rate", "0.25"], options: options) { cluster in
            let client = cluster.client
            let informer = makeInformer(client, options: InformerOptions(pageSize: 5, backoff: Backoff(initial: .milliseconds(50), maximum: .milliseconds(500))))
            let run = Task { await informer.run() }
            await informer.waitForSync()

            // Keep changing objects until the sim has cut the watch a few times (cuts come
            // at random, about one per 4 s per watch at this fault rate).
            var i = 0
            while i < 30 || (informer.stats.watches < 3 && i < 400) {
                defer { i += 1 }
                _ = try await client.create(.configMaps, namespace: "default", object: configMap("m\(i)", labels: ["group": .string("g\(i % 3)")]))
                if i % 3 == 0 {
                    _ = try await client.patch(.configMaps, namespace: "default", name: "m\(i)", patch: .merge(["data": ["touched": "yes"]]))
                }
                if i % 5 == 4 {
                    _ = try await client.delete(.configMaps, namespace: "default", name: "m\(i - 1)")
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            let expected = try await serverState(client)
            #expect(expected.count == i - i / 5)
            let converged = await eventually { cacheState(informer) == expected }
            #expect(converged, "cache \(cacheState(informer).count) objects vs server \(expected.count); stats \(informer.stats)")
            #expect(informer.stats.watches >= 3, "watches should have been cut and resumed: \(informer.stats)")
            #expect(informer.byIndex("group", "g0").count == expected.keys.filter { Int($0.dropFirst())! % 3 == 0 }.count)
            run.cancel()
            await run.value
        }
    }

    @Test func relistsAfterTheResourceVersionExpires() async throws {
        try await withSimCluster(["--watch-history", "5"]) { cluster in
            let client = cluster.client
            for i in 0..<5 {
                _ = try await client.create(.configMaps, namespace: "default", object: configMap("r\(i)", labels: ["group": "x"]))
            }
            let informer = makeInformer(client)
            var run = Task { await informer.run() }
            await informer.waitForSync()
            #expect(informer.count == 5)
            run.cancel()
            await run.value

            // While the informer is down, more changes than the server's history holds.
            _ = try await client.delete(.configMaps, namespace: "default", name: "r0")
            _ = try await client.delete(.configMaps, namespace: "default", name: "r1")
            for i in 0..<10 {
                _ = try await client.patch(.configMaps, namespace: "default", name: "r2", patch: .merge(["data": ["i": .string("\(i)")]]))
            }
            _ = try await client.create(.configMaps, namespace: "default", object: configMap("r9", labels: ["group": "x"]))

            let events = informer.events()
            run = Task { await informer.run() }
            let expected = try await serverState(client)
            #expect(await eventually { cacheState(informer) == expected }, "cache \(cacheState(informer)) vs \(expected)")
            #expect(informer.stats.expiredRelists >= 1, "\(informer.stats)")
            #expect(informer.stats.lists >= 2)

            var deleted = Set<String>()
            var iterator = events.makeAsyncIterator()
            while deleted.count < 2, let event = await iterator.next() {
                if case .deleted(let key, _) = event { deleted.insert(key) }
            }
            #expect(deleted == ["default/r0", "default/r1"])
            run.cancel()
            await run.value
        }
    }
}
