import CapstanAPI
import CapstanController
import Foundation
import Testing
import TestSupport

/// SPEC §15: `capstan run --shards 2` on three replicas — two hold a shard Lease each, one
/// stands by. A shard holder killed mid-run is replaced by the standby once its Lease has
/// gone unrenewed for the lease duration, and no node runs a second attempt.
@Suite struct ShardingEndToEndTests {
    @Test func aKilledShardIsTakenOverAndNoAttemptRunsTwice() async throws {
        let sim = try await SimProcess.start(["--nodes", "2"])
        #expect(try await sim.applyCRDs().exitCode == 0)
        let store = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-shards-\(UUID().uuidString)")
        var replicas: [String: RunningController] = [:]
        for name in ["replica-a", "replica-b", "replica-c"] {
            replicas[name] = try RunningController.start(kubeconfig: sim.kubeconfigPath, storeDirectory: store,
                                                         environment: ["POD_NAME": name], extraArguments: ["--shards", "2"])
        }
        let holders = { () async throws -> [String] in
            try await (0..<2).asyncMap { shard in
                let result = try await sim.kubectl("get", "lease", "capstan-shard-\(shard)", "-n", "default", "-o", "jsonpath={.spec.holderIdentity}")
                return result.exitCode == 0 ? result.stdout : ""
            }
        }
        let held = try await poll(timeout: .seconds(60), interval: .milliseconds(300)) { () async throws -> [String]? in
            let names = try await holders()
            return names.allSatisfy { !$0.isEmpty } ? names : nil
        }
        let first = try #require(held, "both shard Leases held within 60 s")
        #expect(Set(first).count == 2, "one replica per shard: \(first)")

        // Each Workflow runs three nodes one after another, 2 s each: the kill lands mid-run.
        let names = (0..<12).map { "w\($0)" }
        for name in names {
            try await sim.submit(name, namespace: "default", spec: """
                podGC: Never
                defaults: {image: busybox, podMetadata: {annotations: {sim.capstan.dev/duration: 2s}}}
                nodes: [{name: a}, {name: b, dependsOn: [a]}, {name: c, dependsOn: [b]}]
                """)
        }
        let uids = try await names.asyncMap { try await sim.object("workflow", $0, namespace: "default")["metadata"]?["uid"]?.stringValue ?? "" }
        let shards = Set(uids.map { ShardFilter.shard(of: $0, count: 2) })
        #expect(shards == [0, 1], "the Workflows fall on both shards")
        #expect(try await eventually(timeout: .seconds(60), interval: .milliseconds(250)) {
            try await sim.list("pods", namespace: "default").count >= 12
        }, "the Workflows started")

        let victim = first[0]
        replicas[victim]?.kill()
        let killedAt = Date()
        let successor = try await poll(timeout: .seconds(60), interval: .milliseconds(250)) { () async throws -> String? in
            let holder = try await holders()[0]
            return holder.isEmpty || holder == victim ? nil : holder
        }
        let takeover = Date().timeIntervalSince(killedAt)
        let standby = Set(replicas.keys).subtracting(first).first
        #expect(successor == standby, "the standby took shard 0: \(String(describing: successor))")
        // Lease duration 15 s, then one retry period (2 s) at most, with room for a busy machine.
        #expect(takeover < 25, "shard 0 taken over after \(takeover) s")

        for name in names {
            let status = try await sim.waitForWorkflow(name, namespace: "default", timeout: 120)
            #expect(status.phase == .succeeded, "\(name): \(status)")
            for node in ["a", "b", "c"] {
                #expect(status.nodes[node]?.attempts == 1, "\(name).\(node) ran once: \(String(describing: status.nodes[node]))")
            }
            let pods = try await sim.list("pods", namespace: "default", selector: "capstan.dev/workflow=\(name)")
            #expect(pods.count == 3, "\(name): one pod per node, none created twice: \(pods.count)")
            // The label that lets each replica watch only its own shard's pods.
            let uid = try await sim.object("workflow", name, namespace: "default")["metadata"]?["uid"]?.stringValue ?? ""
            let shardLabels = Set(pods.map { $0["metadata"]?["labels"]?[ShardFilter.podLabel]?.stringValue ?? "none" })
            #expect(shardLabels == [ShardFilter.podLabelValue(forWorkflowUID: uid, count: 2)], "\(name): \(shardLabels)")
        }
        for (name, replica) in replicas where name != victim {
            #expect(try await replica.stop() == 0, "\(name) stops cleanly")
        }
    }

    /// A parent and its children hash to shards of their own: each replica reconciles only its
    /// shard's, and a child's news still reaches its parent on the other replica.
    @Test func childWorkflowsOnTheOtherShardStillFinishTheirParent() async throws {
        let sim = try await SimProcess.start(["--nodes", "2"])
        #expect(try await sim.applyCRDs().exitCode == 0)
        let store = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-shards-\(UUID().uuidString)")
        let replicas = try ["replica-a", "replica-b"].map { name in
            try RunningController.start(kubeconfig: sim.kubeconfigPath, storeDirectory: store,
                                        environment: ["POD_NAME": name], extraArguments: ["--shards", "2"])
        }
        let template = """
            apiVersion: capstan.dev/v1alpha1
            kind: WorkflowTemplate
            metadata: {name: score, namespace: default}
            spec:
              inputs: {item: 0}
              defaults: {image: busybox}
              nodes: [{name: run}]
              outputs: {item: "{{ inputs.item }}"}
            """
        #expect(try await sim.kubectl(["apply", "-f", "-"], stdin: template).exitCode == 0)
        try await sim.submit("parent", namespace: "default", spec: """
            nodes:
              - name: children
                map: {over: [1, 2, 3, 4, 5, 6, 7, 8]}
                workflow: {templateRef: {name: score}}
                inputs: {item: "{{ item }}"}
                outputs: [item]
            """)
        let status = try await sim.waitForWorkflow("parent", namespace: "default", timeout: 120)
        #expect(status.phase == .succeeded, "\(status)")
        #expect(status.nodes["children"]?.map?.succeeded == 8)
        let children = try await sim.list("workflows", namespace: "default", selector: "capstan.dev/parent=parent")
        let parentUID = try await sim.object("workflow", "parent", namespace: "default")["metadata"]?["uid"]?.stringValue ?? ""
        let parentShard = ShardFilter.shard(of: parentUID, count: 2)
        let childShards = children.map { ShardFilter.shard(of: $0["metadata"]?["uid"]?.stringValue ?? "", count: 2) }
        #expect(childShards.contains { $0 != parentShard }, "some children are on the parent's other shard: \(childShards)")
        #expect(children.allSatisfy { $0["status"]?["phase"] == "Succeeded" })
        for replica in replicas { #expect(try await replica.stop() == 0) }
    }
}

extension Sequence {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
