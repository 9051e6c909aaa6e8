import CapstanAPI
import CapstanKube
import Foundation
import TestSupport
import Testing

/// An informer told which spec it holds decodes a watch event's spec only when the object's
/// generation moved: a large Workflow's spec is sent again with every status write.
@Suite struct InformerHeldSpecTests {
    private static func workflow(generation: Int, resourceVersion: String, node: String, phase: String) -> JSONValue {
        [
            "apiVersion": "capstan.dev/v1alpha1", "kind": "Workflow",
            "metadata": ["name": "w", "namespace": "default", "uid": "u-1", "generation": .number(Double(generation)),
                         "resourceVersion": .string(resourceVersion)],
            "spec": ["nodes": [["name": .string(node)]]],
            "status": ["phase": .string(phase)],
        ]
    }

    /// Lists the Workflow at generation 1, then watches one event of it, then fails watches.
    /// Returns the informer's copy once it has seen the event.
    private func cachedAfter(event: JSONValue) async throws -> JSONValue? {
        let watches = SharedMutex(0)
        let server = try await TestAPIServer(tls: false) { request in
            guard request.uri.contains("watch=true") else {
                return (.ok, ["kind": "WorkflowList", "apiVersion": "capstan.dev/v1alpha1", "metadata": ["resourceVersion": "10"],
                              "items": [Self.workflow(generation: 1, resourceVersion: "10", node: "listed", phase: "Pending")]])
            }
            let first = watches.withLock { count in
                count += 1
                return count == 1
            }
            if first { return (.ok, ["type": "MODIFIED", "object": event]) }
            return (.internalServerError, ["kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 500, "message": "no more events"])
        }
        let client = try KubeClient(config: KubeConfig(server: URL(string: "http://127.0.0.1:\(server.port)")!),
                                    options: KubeClientOptions(qps: 0, retry: .none))
        let informer = Informer<JSONValue>(
            client: client, resource: .workflows, namespace: "default",
            heldSpec: { cached, metadata in
                cached["metadata"]?["generation"] == metadata["generation"] && cached["metadata"]?["uid"] == metadata["uid"] ? cached["spec"] : nil
            },
            transform: { $0 })
        let run = Task { await informer.run() }
        let expected = event.kubeMeta.resourceVersion
        // A minute: when the whole suite loads both cores, the first list alone once took
        // more than ten seconds to be answered. What is checked is what it applied, not how fast.
        let seen = await eventually(timeout: .seconds(60)) { informer.get("default/w")?.kubeMeta.resourceVersion == expected }
        let cached = informer.get("default/w")
        run.cancel()
        await run.value
        try await client.shutdown()
        try await server.stop()
        #expect(seen, "the informer applied the watch event")
        return cached
    }

    @Test func theHeldSpecStandsInWhileTheGenerationIsTheSame() async throws {
        // Not a text a real server sends (a new spec comes with a new generation): it shows
        // the event's spec was not decoded.
        let cached = try await cachedAfter(event: Self.workflow(generation: 1, resourceVersion: "11", node: "same generation", phase: "Running"))
        #expect(cached?["spec"]?["nodes"]?[0]?["name"] == "listed", "the spec held from the list")
        #expect(cached?["status"]?["phase"] == "Running", "the rest of the event is decoded")
    }

    @Test func aNewGenerationsSpecIsDecoded() async throws {
        let cached = try await cachedAfter(event: Self.workflow(generation: 2, resourceVersion: "11", node: "edited", phase: "Running"))
        #expect(cached?["spec"]?["nodes"]?[0]?["name"] == "edited")
        #expect(cached?["metadata"]?["generation"] == 2)
    }
}
