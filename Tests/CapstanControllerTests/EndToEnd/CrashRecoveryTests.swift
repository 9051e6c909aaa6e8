import CapstanAPI
import Foundation
import Testing
import TestSupport

/// The controller killed with SIGKILL in the middle of a 30-node chain (or of creating child
/// Workflows) and started again: the workflow finishes and nothing ran more than once.
@Suite struct CrashRecoveryTests {
    @Test func aKilledControllerResumesWithoutRunningAnyAttemptTwice() async throws {
        let sim = try await SimProcess.start(["--nodes", "2"])
        #expect(try await sim.applyCRDs().exitCode == 0)
        let nodes = (0..<30).map { i in
            "  - {name: n\(i)\(i > 0 ? ", dependsOn: [n\(i - 1)]" : ""), podMetadata: {annotations: {sim.capstan.dev/duration: 200ms}}}"
        }
        try await sim.submit("chain", namespace: "default", spec: "podGC: Never\ndefaults: {image: busybox}\nnodes:\n" + nodes.joined(separator: "\n"))
        let first = try RunningController.start(kubeconfig: sim.kubeconfigPath)
        #expect(try await eventually(timeout: .seconds(60), interval: .milliseconds(200)) {
            let status = WorkflowStatus(json: try await sim.object("workflow", "chain", namespace: "default")["status"])
            return status.nodes.values.filter { $0.phase == .succeeded }.count >= 8
        }, "fewer than 8 nodes succeeded within 60s")
        first.kill()
        let second = try RunningController.start(kubeconfig: sim.kubeconfigPath, storeDirectory: first.storeDirectory)
        let status = try await sim.waitForWorkflow("chain", namespace: "default", timeout: 120)
        #expect(status.phase == .succeeded)
        #expect(status.nodes.count == 30)
        #expect(status.nodes.values.allSatisfy { $0.attempts == 1 },
                "attempts: \(status.nodes.filter { $0.value.attempts != 1 }.map { "\($0.key)=\($0.value.attempts) \($0.value.failures)" })\nfirst controller: \(first.log.suffix(4000))\nsecond: \(second.log.suffix(4000))")
        let pods = try await sim.list("pods", namespace: "default", selector: "capstan.dev/workflow=chain")
        #expect(pods.count == 30)
        #expect(pods.allSatisfy { $0["metadata"]?["labels"]?["capstan.dev/attempt"] == "0" })
        #expect(try await second.stop() == 0)
    }

    @Test func aKilledControllerCreatesNoChildWorkflowTwice() async throws {
        let sim = try await SimProcess.start(["--nodes", "2"])
        #expect(try await sim.applyCRDs().exitCode == 0)
        let template = """
            apiVersion: capstan.dev/v1alpha1
            kind: WorkflowTemplate
            metadata: {name: trial, namespace: default}
            spec:
              defaults: {image: busybox}
              nodes: [{name: t, podMetadata: {annotations: {sim.capstan.dev/duration: 300ms}}}]
            """
        #expect(try await sim.kubectl(["apply", "-f", "-"], stdin: template).exitCode == 0)
        let built = JSONValue.object(["workflow": ["nodes": .array((0..<5).map { i in
            ["name": .string("b\(i)"), "image": "busybox", "dependsOn": i > 0 ? [.string("b\(i - 1)")] : []]
        })]]).jsonString
        try await sim.submit("parent", namespace: "default", spec: """
            defaults: {image: busybox}
            nodes:
              - {name: trials, map: {over: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], concurrency: 3}, workflow: {templateRef: {name: trial}}}
              - {name: plan, dynamic: true, outputs: [workflow], podMetadata: {annotations: {sim.capstan.dev/outputs: '\(built)'}}}
            """)
        let first = try RunningController.start(kubeconfig: sim.kubeconfigPath)
        #expect(try await eventually(timeout: .seconds(60), interval: .milliseconds(200)) {
            let children = try await sim.list("workflows", namespace: "default", selector: "capstan.dev/parent=parent")
            return children.filter { WorkflowStatus(json: $0["status"]).phase == .succeeded }.count >= 4
        }, "fewer than 4 children succeeded within 60s")
        first.kill()
        let second = try RunningController.start(kubeconfig: sim.kubeconfigPath, storeDirectory: first.storeDirectory)
        let status = try await sim.waitForWorkflow("parent", namespace: "default", timeout: 120)
        #expect(status.phase == .succeeded, "\(status)\nsecond: \(second.log.suffix(4000))")
        let children = try await sim.list("workflows", namespace: "default", selector: "capstan.dev/parent=parent")
        #expect(children.count == 13, "twelve trials and the built workflow, each once")
        #expect(children.allSatisfy { $0["metadata"]?["labels"]?["capstan.dev/attempt"] == "0" })
        #expect(status.nodes["trials"]?.failures.isEmpty == true && status.nodes["plan"]?.failures.isEmpty == true)
        #expect(try await second.stop() == 0)
    }
}
