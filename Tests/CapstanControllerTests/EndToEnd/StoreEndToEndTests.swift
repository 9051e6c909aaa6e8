import CapstanAPI
import CapstanStore
import Foundation
import Testing
import TestSupport

/// `capstan run --store s3://...` against SeaweedFS (started by hack/test.sh): outputs at the
/// SPEC §4 paths, the cache across runs, checkpoints across attempts, and recoverFrom.
@Suite(.serialized) struct StoreEndToEndTests {
    struct MissingServer: Error, CustomStringConvertible {
        var description: String
    }

    actor Cluster {
        static let shared = Cluster()
        var started: (SimProcess, RunningController, any ObjectStore, String)?

        func get() async throws -> (sim: SimProcess, store: any ObjectStore, url: String) {
            if let (sim, _, store, url) = started { return (sim, store, url) }
            let env = ProcessInfo.processInfo.environment
            guard let endpoint = env["CAPSTAN_S3_ENDPOINT"], let key = env["CAPSTAN_S3_ACCESS_KEY"], let secret = env["CAPSTAN_S3_SECRET_KEY"] else {
                throw MissingServer(description: "CAPSTAN_S3_ENDPOINT, CAPSTAN_S3_ACCESS_KEY and CAPSTAN_S3_SECRET_KEY must name a running S3 server: run the tests with hack/test.sh, which starts SeaweedFS")
            }
            let bucket = "capstan-e2e-\(UUID().uuidString.prefix(8).lowercased())"
            let url = "s3://\(bucket)/runs"
            let s3Env = ["AWS_ENDPOINT_URL_S3": endpoint, "AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret, "AWS_REGION": env["CAPSTAN_S3_REGION"] ?? "us-east-1"]
            let store = try S3Store(url: try StoreURL(parsing: url), environment: s3Env)
            try await store.createBucket()
            let sim = try await SimProcess.start(["--nodes", "2"])
            try #require(try await sim.applyCRDs().exitCode == 0)
            let controller = try RunningController.start(kubeconfig: sim.kubeconfigPath, storeURL: url, environment: s3Env)
            started = (sim, controller, store, url)
            return (sim, store, url)
        }
    }

    func outputs(_ store: any ObjectStore, _ key: String) async throws -> JSONValue {
        try JSONValue.parse(try await store.get(key))
    }

    @Test func outputsArePersistedAtTheSpecPaths() async throws {
        let (sim, store, url) = try await Cluster.shared.get()
        try await sim.submit("paths", namespace: "default", spec: """
            defaults: {image: busybox}
            nodes:
              - {name: one, outputs: [x], podMetadata: {annotations: {sim.capstan.dev/outputs: '{"x": 1}'}}}
              - {name: many, map: {over: [a, b]}, outputs: [letter], podMetadata: {annotations: {sim.capstan.dev/outputs: '{"letter": "{{ item }}"}'}}}
            """)
        let status = try await sim.waitForWorkflow("paths", namespace: "default")
        #expect(status.phase == .succeeded)
        let uid = try #require(try await sim.object("workflow", "paths", namespace: "default")["metadata"]?["uid"]?.stringValue)
        #expect(try await outputs(store, "default/paths/\(uid)/one/outputs.json") == ["x": 1])
        #expect(try await outputs(store, "default/paths/\(uid)/many/1/outputs.json") == ["letter": "b"])
        #expect(try await outputs(store, "default/paths/\(uid)/many/outputs.json") == ["letter": ["a", "b"]])
        #expect(status.nodes["one"]?.outputsURI == "\(url)/default/paths/\(uid)/one/outputs.json")
    }

    @Test func aSecondRunTakesCachedNodesFromTheCache() async throws {
        let (sim, _, _) = try await Cluster.shared.get()
        let spec = """
            podGC: Never
            defaults: {image: busybox}
            nodes:
              - {name: prep, command: [prep, v1], cache: {version: "1"}, outputs: [data], podMetadata: {annotations: {sim.capstan.dev/outputs: '{"data": 42}'}}}
              - {name: use, inputs: {d: "{{ nodes.prep.outputs.data }}"}}
            """
        try await sim.submit("cache-1", namespace: "default", spec: spec)
        #expect(try await sim.waitForWorkflow("cache-1", namespace: "default").phase == .succeeded)
        try await sim.submit("cache-2", namespace: "default", spec: spec)
        let second = try await sim.waitForWorkflow("cache-2", namespace: "default")
        #expect(second.phase == .succeeded)
        #expect(second.nodes["prep"]?.cached == true)
        #expect(try await sim.list("pods", namespace: "default", selector: "capstan.dev/workflow=cache-2,capstan.dev/node=prep").isEmpty)
        #expect(try await sim.list("pods", namespace: "default", selector: "capstan.dev/workflow=cache-2,capstan.dev/node=use").count == 1)
    }

    @Test func aRetriedAttemptGetsThePreviousCheckpoint() async throws {
        let (sim, _, url) = try await Cluster.shared.get()
        try await sim.submit("ckpt", namespace: "default", spec: """
            podGC: Never
            defaults: {image: busybox}
            nodes: [{name: t, checkpoint: true, retries: 1, retryBackoff: {initial: 1s}, podMetadata: {annotations: {sim.capstan.dev/fail-attempts: "1"}}}]
            """)
        #expect(try await sim.waitForWorkflow("ckpt", namespace: "default").phase == .succeeded)
        let pods = try await sim.list("pods", namespace: "default", selector: "capstan.dev/workflow=ckpt")
        func env(_ attempt: String) -> [String: String] {
            let pod = pods.first { $0["metadata"]?["labels"]?["capstan.dev/attempt"]?.stringValue == attempt }
            let vars = pod?["spec"]?["containers"]?[0]?["env"]?.arrayValue ?? []
            return Dictionary(uniqueKeysWithValues: vars.compactMap { v in v["name"]?.stringValue.map { ($0, v["value"]?.stringValue ?? "") } })
        }
        let first = env("0"), second = env("1")
        #expect(first["CAPSTAN_CHECKPOINT_URI"]?.hasPrefix(url) == true)
        #expect(first["CAPSTAN_PREV_CHECKPOINT_URI"] == "")
        #expect(second["CAPSTAN_PREV_CHECKPOINT_URI"] == first["CAPSTAN_CHECKPOINT_URI"])
        #expect(second["CAPSTAN_CHECKPOINT_URI"] != first["CAPSTAN_CHECKPOINT_URI"])
    }

    @Test func recoverFromRerunsOnlyTheFailedPart() async throws {
        let (sim, _, _) = try await Cluster.shared.get()
        func spec(recover: Bool, failing: Bool) -> String {
            """
            \(recover ? "recoverFrom: rec-1\n" : "")podGC: Never
            failurePolicy: Continue
            defaults: {image: busybox}
            nodes:
              - {name: prep, outputs: [data], podMetadata: {annotations: {sim.capstan.dev/outputs: '{"data": "d"}'}}}
              - {name: train, inputs: {d: "{{ nodes.prep.outputs.data }}"}, outputs: [model], podMetadata: {annotations: {sim.capstan.dev/exit-code: "\(failing ? 1 : 0)", sim.capstan.dev/outputs: '{"model": "m"}'}}}
              - {name: report, inputs: {m: "{{ nodes.train.outputs.model }}"}}
            """
        }
        try await sim.submit("rec-1", namespace: "default", spec: spec(recover: false, failing: true))
        #expect(try await sim.waitForWorkflow("rec-1", namespace: "default").phase == .failed)
        try await sim.submit("rec-2", namespace: "default", spec: spec(recover: true, failing: false))
        let status = try await sim.waitForWorkflow("rec-2", namespace: "default")
        #expect(status.phase == .succeeded)
        #expect(status.nodes["prep"]?.recovered == true)
        #expect(try await sim.list("pods", namespace: "default", selector: "capstan.dev/workflow=rec-2,capstan.dev/node=prep").isEmpty)
        #expect(try await sim.list("pods", namespace: "default", selector: "capstan.dev/workflow=rec-2,capstan.dev/node=train").count == 1)
    }
}
