import CapstanAPI
import CapstanKube
import Foundation
import Testing
@testable import CapstanSim

/// `capstan sim`'s own kubelets reach its API server in process, without HTTP
/// (`KubeClient(inProcess:)`). What they get must be what a client over HTTP gets: the same
/// objects, errors, watch events, faults and audit lines, and a watch that falls behind is
/// cut off as a connection would be.
@Suite struct InProcessClientTests {
    @Test func anInProcessClientGetsWhatAnHTTPClientGets() async throws {
        let api = SimulatedAPIServer(configuration: .init(eventLoopThreads: 1))
        let url = try await api.start()
        let wire = try KubeClient(config: KubeConfig(server: url, origin: "test"), options: KubeClientOptions(qps: 0))
        let local = KubeClient(inProcess: api.inProcess, options: KubeClientOptions(qps: 0))

        let created = try await local.create(.pods, namespace: "default", object: Fixtures.pod("p1"))
        #expect(created["metadata"]?["uid"]?.stringValue?.isEmpty == false)
        let throughWire = try await wire.get(.pods, namespace: "default", name: "p1")
        let throughLocal = try await local.get(.pods, namespace: "default", name: "p1")
        #expect(throughWire == throughLocal)
        #expect(throughLocal == created)

        // An error carries the server's Status, as over HTTP.
        let wireMissing = await #expect(throws: KubeError.self) { try await wire.get(.pods, namespace: "default", name: "nope") }
        let localMissing = await #expect(throws: KubeError.self) { try await local.get(.pods, namespace: "default", name: "nope") }
        #expect(localMissing?.isNotFound == true)
        #expect(localMissing?.code == 404)
        #expect(localMissing?.message == wireMissing?.message)

        // Both see a change through their watches, in the same form.
        let from = try await local.list(.pods, namespace: "default", options: ListOptions()).resourceVersion
        var localEvents = try await local.watch(.pods, namespace: "default", options: WatchOptions(resourceVersion: from)).makeAsyncIterator()
        var wireEvents = try await wire.watch(.pods, namespace: "default", options: WatchOptions(resourceVersion: from)).makeAsyncIterator()
        _ = try await wire.create(.pods, namespace: "default", object: Fixtures.pod("p2"))
        let seenLocally = try #require(try await localEvents.next())
        let seenOverWire = try #require(try await wireEvents.next())
        #expect(seenLocally.type == .added)
        #expect(seenLocally.object.kubeMeta.name == "p2")
        #expect(seenLocally.object == seenOverWire.object)

        try await wire.shutdown()
        try await api.shutdown()
    }

    @Test func faultsAndTheAuditLogCoverInProcessRequests() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-inprocess-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let auditPath = folder.appendingPathComponent("audit.jsonl").path
        let api = SimulatedAPIServer(configuration: .init(faultRate: 1, auditLogPath: auditPath, eventLoopThreads: 1))
        let local = KubeClient(inProcess: api.inProcess, options: KubeClientOptions(qps: 0, retry: .none, userAgent: "in-process-test"))

        let failure = await #expect(throws: KubeError.self) { try await local.get(.pods, namespace: "default", name: "p1") }
        #expect(failure?.code == 500 || failure?.code == 429, "\(String(describing: failure))")

        let lines = try String(contentsOfFile: auditPath, encoding: .utf8).split(separator: "\n")
        let entry = try JSONValue.parse(Array(try #require(lines.last).utf8))
        #expect(entry["userAgent"] == "in-process-test")
        #expect(entry["verb"] == "get")
        #expect(entry["resource"] == "pods")
        #expect(entry["code"]?.doubleValue == failure.map { Double($0.code) })
        try await api.shutdown()
    }

    @Test func aFollowedLogStreamsInProcessAndEndsWithTheContainer() async throws {
        let api = SimulatedAPIServer(configuration: .init(eventLoopThreads: 1))
        let local = KubeClient(inProcess: api.inProcess, options: KubeClientOptions(qps: 0))
        var pod = Fixtures.pod("live")
        pod["metadata"]?["annotations"] = ["sim.capstan.dev/log": "started\n"]
        _ = try await local.create(.pods, namespace: "default", object: pod)
        _ = try await local.createSubresource(.pods, namespace: "default", name: "live", subresource: "binding", object: [
            "apiVersion": "v1", "kind": "Binding", "metadata": ["name": "live"],
            "target": ["apiVersion": "v1", "kind": "Node", "name": "node-1"],
        ])
        try await setMainState(local, ["running": ["startedAt": "2026-12-05T00:00:00Z"]])
        var lines = try await local.podLog(namespace: "default", pod: "live", container: "main", follow: true).makeAsyncIterator()
        #expect(try await lines.next() == "started")
        _ = try await local.patch(.pods, namespace: "default", name: "live",
                                  patch: .merge(["metadata": ["annotations": ["sim.capstan.dev/log": "started\nfinished\n"]]]))
        #expect(try await lines.next() == "finished", "a line written later arrives on the open stream")
        try await setMainState(local, ["terminated": ["exitCode": 0, "reason": "Completed"]])
        #expect(try await lines.next() == nil, "the stream ends when the container does")
        try await api.shutdown()
    }

    private func setMainState(_ client: KubeClient, _ state: JSONValue) async throws {
        _ = try await client.patchStatus(.pods, namespace: "default", name: "live", patch: .merge(["status": ["containerStatuses": [[
            "name": "main", "image": "busybox:1.36", "imageID": "", "ready": false, "restartCount": 0, "state": state,
        ]]]]))
    }

    @Test func aWatchThatFallsBehindIsCutOff() async throws {
        let api = SimulatedAPIServer(configuration: .init(maximumWatchBacklogBytes: 4_096, eventLoopThreads: 1))
        let local = KubeClient(inProcess: api.inProcess, options: KubeClientOptions(qps: 0))
        let events = try await local.watch(.pods, namespace: "default", options: WatchOptions(resourceVersion: "0"))
        // Nothing reads while 40 pods (about 400 bytes each) are written, one at a time, so
        // each event is handed to the reader's stream before the next: the server's queue
        // stays short, and it is the unread bytes that pass the limit.
        for index in 0..<40 {
            _ = try await local.create(.pods, namespace: "default", object: Fixtures.pod("p\(index)"))
            try await Task.sleep(for: .milliseconds(5))
        }
        var read = 0
        let cut = await #expect(throws: KubeError.self) {
            for try await _ in events { read += 1 }
        }
        #expect(cut?.reason == .transport)
        #expect(read < 40)
        try await api.shutdown()
    }
}

/// An in-process watch holds the server's resources only while someone reads it, as a
/// connection does: a reader that leaves, and a server that stops, each end it.
@Suite(.timeLimit(.minutes(1))) struct InProcessWatchLifetimeTests {
    @Test func aReaderThatLeavesClosesItsWatch() async throws {
        let api = SimulatedAPIServer(configuration: .init(eventLoopThreads: 1))
        let local = KubeClient(inProcess: api.inProcess, options: KubeClientOptions(qps: 0))
        // The server's own watchers (resource quota accounting) stay; count past them.
        let before = api.openWatches(of: "pods")
        let reader = Task {
            let events = try await local.watch(.pods, namespace: "default", options: WatchOptions(resourceVersion: "0"))
            for try await _ in events {}
        }
        try await waitUntil { api.openWatches(of: "pods") == before + 1 }
        reader.cancel()
        _ = await reader.result
        try await waitUntil { api.openWatches(of: "pods") == before }
        try await api.shutdown()
    }

    @Test func stoppingTheServerCutsAnInProcessWatchAndRefusesRequests() async throws {
        let api = SimulatedAPIServer(configuration: .init(eventLoopThreads: 1))
        let local = KubeClient(inProcess: api.inProcess, options: KubeClientOptions(qps: 0, retry: .none))
        let before = api.openWatches(of: "pods")
        let events = try await local.watch(.pods, namespace: "default", options: WatchOptions(resourceVersion: "0"))
        #expect(api.openWatches(of: "pods") == before + 1)
        try await api.shutdown()
        let cut = await #expect(throws: KubeError.self) { for try await _ in events {} }
        #expect(cut?.reason == .transport)
        #expect(api.openWatches(of: "pods") == before)
        // And the stopped server takes no more requests, as a closed socket takes none.
        let refused = await #expect(throws: KubeError.self) { try await local.get(.pods, namespace: "default", name: "p1") }
        #expect(refused?.reason == .transport)
    }

    private func waitUntil(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("the condition did not hold within 10 seconds")
                return
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
