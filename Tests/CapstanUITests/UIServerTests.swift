import CapstanAPI
import CapstanKube
import CapstanSim
import Foundation
import Testing
import TestSupport
@testable import CapstanUI

/// The server against the simulated API server in this process, with no controller: the test
/// writes each status itself, so every update the page should see is one the test made.
@Suite(.serialized) struct UIServerTests {
    struct Running {
        let api: SimulatedAPIServer
        let client: KubeClient
        let server: UIServer
        let task: Task<Void, any Error>

        var base: URL { URL(string: server.url)! }

        func stop() async {
            task.cancel()
            _ = await task.result
            try? await client.shutdown()
            try? await api.shutdown()
        }
    }

    static func start() async throws -> Running {
        let api = SimulatedAPIServer(configuration: .init(eventLoopThreads: 1))
        let url = try await api.start()
        let client = try KubeClient(config: KubeConfig(server: url, origin: "test"), options: KubeClientOptions(qps: 0))
        _ = try await client.create(.customResourceDefinitions, namespace: nil, object: WorkflowSchema.customResourceDefinition)
        let server = try await UIServer.bind(host: "127.0.0.1", port: 0, client: client, namespace: "default")
        let task = Task { try await server.run() }
        return Running(api: api, client: client, server: server, task: task)
    }

    static func workflow(_ name: String, labels: [String: JSONValue] = [:]) -> JSONValue {
        [
            "apiVersion": "capstan.dev/v1alpha1", "kind": "Workflow",
            "metadata": ["name": .string(name), "namespace": "default", "labels": .object(labels)],
            "spec": ["nodes": [["name": "a", "image": "busybox"], ["name": "b", "image": "busybox", "dependsOn": ["a"]]]],
        ]
    }

    func setStatus(_ running: Running, _ name: String, _ status: JSONValue) async throws {
        _ = try await running.client.patchStatus(.workflows, namespace: "default", name: name, patch: .merge(["status": status]))
    }

    @Test func pagesListTheWorkflowsAndDrawTheirGraph() async throws {
        let running = try await Self.start()
        defer { Task { await running.stop() } }
        _ = try await running.client.create(.workflows, namespace: "default", object: Self.workflow("first"))
        try await setStatus(running, "first", ["phase": "Running", "progress": "0/2", "nodes": ["a": ["phase": "Failed", "attempts": 1,
            "failures": [["attempt": 0, "reason": "Error", "exitCode": 3, "message": "no such file: data.csv",
                          "finishedAt": "2026-01-01T00:00:00Z"]]]]])
        let found = try await poll(interval: .milliseconds(50)) { () async throws -> HTTPResult? in
            let list = try await RawHTTP.request(running.base, "GET", "/")
            return list.text.contains("/workflows/default/first") && list.text.contains("Running") ? list : nil
        }
        #expect(found?.status == 200)
        #expect(found?.headers["content-security-policy"]?.contains("default-src 'self'") == true)

        let page = try await RawHTTP.request(running.base, "GET", "/workflows/default/first?node=a")
        #expect(page.status == 200)
        #expect(page.text.contains("data-node=\"a\" data-phase=\"Failed\""))
        #expect(page.text.contains("data-node=\"b\" data-phase=\"Pending\""))
        #expect(page.text.contains("no such file: data.csv"), "the selected node's panel is rendered with the page")
        let fragment = try await RawHTTP.request(running.base, "GET", "/workflows/default/first/nodes/a")
        #expect(fragment.text.contains("<strong>Error</strong> (exit 3)"))

        #expect(try await RawHTTP.request(running.base, "GET", "/workflows/default/nothing").status == 404)
        #expect(try await RawHTTP.request(running.base, "POST", "/").status == 405)
        #expect(try await RawHTTP.request(running.base, "GET", "/assets/capstan.js").text.contains("EventSource"))
        let rebound = try await RawHTTP.request(running.base, "GET", "/", headers: ["Host": "attacker.example:\(running.server.port)"])
        #expect(rebound.status == 421)
    }

    @Test func aWorkflowPageStreamsEachChangeAndEndsWhenItFinishes() async throws {
        let running = try await Self.start()
        defer { Task { await running.stop() } }
        _ = try await running.client.create(.workflows, namespace: "default", object: Self.workflow("live"))
        try await setStatus(running, "live", ["phase": "Running", "nodes": ["a": ["phase": "Running", "attempts": 1]]])
        _ = try await poll(interval: .milliseconds(50)) {
            try await RawHTTP.request(running.base, "GET", "/workflows/default/live").text.contains("data-phase=\"Running\"") ? true : nil
        }
        let base = running.base
        // Two viewers: both are fed from the server's one watch.
        let viewers = try await Blocking.run {
            try (0..<2).map { _ in
                try RawHTTPConnection(base, method: "GET", path: "/workflows/default/live/events", headers: ["Accept": "text/event-stream"],
                                      timeout: 20)
            }
        }
        #expect(viewers[0].headers["content-type"]?.hasPrefix("text/event-stream") == true)
        for viewer in viewers {
            let first = await Blocking.run { viewer.nextEvent() }
            #expect(first?.name == "update")
            #expect(first?.data.contains("data-node=\"a\" data-phase=\"Running\"") == true)
        }
        #expect(await eventually { running.server.openStreams == 2 })

        try await setStatus(running, "live", ["nodes": ["a": ["phase": "Succeeded", "attempts": 1]]])
        for viewer in viewers {
            let next = await Blocking.run { viewer.nextEvent() }
            #expect(next?.name == "update")
            #expect(next?.data.contains("data-node=\"a\" data-phase=\"Succeeded\"") == true)
        }

        try await setStatus(running, "live", ["phase": "Succeeded", "nodes": ["b": ["phase": "Succeeded", "attempts": 1]]])
        let ending = await Blocking.run { () -> [String] in
            var names: [String] = []
            while let event = viewers[0].nextEvent() { names.append(event.name) }
            return names
        }
        #expect(ending == ["update", "end"], "the last state, then the end, then the stream closes")
    }
}
