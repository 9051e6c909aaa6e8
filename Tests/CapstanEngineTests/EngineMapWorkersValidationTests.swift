import Testing
import CapstanAPI
@testable import CapstanEngine

/// `map.workers` (SPEC §15): what the validator refuses and what compiles.
@Suite struct EngineMapWorkersValidationTests {
    static func problems(_ yaml: String) throws -> [Diagnostic] {
        ValidatorTests.problems(of: try YAMLDocuments.load(yaml)[0])
    }

    @Test(arguments: [
        ("nodes: [{name: m, image: busybox, map: {over: [1, 2], workers: {idleTimeout: 1m}}}]",
         "spec.nodes[0].map.workers.replicas", "is required"),
        ("nodes: [{name: m, image: busybox, map: {over: [1, 2], workers: {replicas: 0}}}]",
         "spec.nodes[0].map.workers.replicas", "out of range"),
        ("nodes: [{name: m, image: busybox, map: {over: [1, 2], workers: {replicas: 1001}}}]",
         "spec.nodes[0].map.workers.replicas", "out of range"),
        ("nodes: [{name: m, image: busybox, map: {over: [1, 2], workers: {replicas: 2, idleTimeout: 1 minute}}}]",
         "spec.nodes[0].map.workers.idleTimeout", "invalid duration"),
        ("nodes: [{name: m, image: busybox, map: {over: [1, 2], workers: {replicas: 2, replica: 3}}}]",
         "spec.nodes[0].map.workers.replica", "unknown field"),
        ("nodes: [{name: m, image: busybox, map: {over: [1, 2], workers: 3}}]",
         "spec.nodes[0].map.workers", "must be an object"),
        ("nodes: [{name: m, image: \"busybox:{{ item }}\", map: {over: [a, b], workers: {replicas: 2}}}]",
         "spec.nodes[0].map.workers", "{{ item }}"),
        ("nodes: [{name: m, image: \"img-{{ index }}\", map: {over: [a, b], workers: {replicas: 2}}}]",
         "spec.nodes[0].map.workers", "image cannot depend"),
        ("nodes: [{name: m, workflow: {templateRef: {name: t}}, map: {over: [a, b], workers: {replicas: 2}}}]",
         "spec.nodes[0].map.workers", "child Workflows"),
    ])
    func refusesAtTheWorkersField(spec: String, path: String, message: String) throws {
        let problems = try Self.problems(spec)
        #expect(problems.contains { $0.path == path && $0.message.contains(message) }, "got: \(problems)")
    }

    @Test func aDynamicMapWithWorkersIsRefused() throws {
        let problems = try Self.problems(
            "nodes: [{name: c, image: busybox, dynamic: true, outputs: [workflow], map: {over: [1], workers: {replicas: 1}}}]")
        #expect(!problems.isEmpty)
    }

    @Test func validWorkersCompileWithTheDefaultIdleTimeout() throws {
        let compiled = try WorkflowCompiler.compile(YAMLDocuments.load("""
            inputs: {img: busybox}
            nodes:
              - {name: a, image: "{{ inputs.img }}", command: [run, "{{ item }}"], map: {over: [1, 2], workers: {replicas: 3}}}
              - {name: b, image: busybox, map: {over: [1, 2], workers: {replicas: 1000, idleTimeout: 5m}}}
            """)[0]).get()
        #expect(compiled["a"]?.map?.workers == MapWorkers(replicas: 3, idleTimeout: SpecDuration(seconds: 60)))
        #expect(compiled["b"]?.map?.workers == MapWorkers(replicas: 1000, idleTimeout: SpecDuration(seconds: 300)))
    }
}
