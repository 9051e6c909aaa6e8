import Testing
import CapstanAPI
@testable import CapstanEngine
import TestSupport

/// SPEC §3, §10: data too large for a pod goes by reference; a pod that would still be
/// refused for its size is never created.
@Suite struct EngineLargeDataTests {
    private static func env(_ request: PodRequest) -> [String: String] {
        var values: [String: String] = [:]
        for variable in request.manifest["spec"]?["containers"]?[0]?["env"]?.arrayValue ?? [] {
            if let name = variable["name"]?.stringValue, let value = variable["value"]?.stringValue { values[name] = value }
        }
        return values
    }

    @Test func aLargeUpstreamListReachesThePodThroughTheStore() async throws {
        let ids = JSONValue.array((0..<300_000).map { .number(Double($0)) })
        let (phase, usePod, genPod, stored) = try await Blocking.compute {
            var h = try EngineHarness("""
                defaults: {image: busybox}
                nodes:
                  - {name: gen, outputs: [ids]}
                  - {name: use, inputs: {ids: "{{ nodes.gen.outputs.ids }}"}}
                """)
            h.script = { node, _, _ in node == "gen" ? .init(outputs: ["ids": ids]) : .init() }
            let phase = h.runToCompletion().phase
            return (phase, h.createdPods(of: "use").first, h.createdPods(of: "gen").first, h.store["ml/wf/uid-1/use/inputs.json"])
        }
        #expect(phase == .succeeded)
        let pod = try #require(usePod)
        let env = Self.env(pod)
        #expect(env["CAPSTAN_INPUTS"] == nil, "never both")
        let uri = try #require(env["CAPSTAN_INPUTS_URI"])
        #expect(uri == "file:///tmp/capstan-store/ml/wf/uid-1/use/inputs.json")
        #expect(stored?["ids"] == ids)
        #expect(pod.manifest.serialized().count < 8 * 1024)
        // Small inputs still go by value.
        #expect(Self.env(try #require(genPod))["CAPSTAN_INPUTS"] == "{}")
    }

    @Test func anArgumentTooLongForTheKernelFailsTheNodeWithoutAPod() throws {
        var h = try EngineHarness("""
            inputs: {blob: "\(String(repeating: "x", count: 140_000))"}
            defaults: {image: busybox, retries: 2}
            nodes: [{name: echo, command: [echo, "{{ inputs.blob }}"]}]
            """)
        #expect(h.runToCompletion().phase == .failed)
        #expect(h.created.isEmpty)
        let failure = try #require(h.node("echo").failures.first)
        #expect(failure.reason == .podRejected)
        #expect(failure.message?.hasPrefix("spec.containers[0].command[1] is 140000 bytes, more than the 131072 bytes") == true, "\(failure.message ?? "")")
        #expect(h.node("echo").failures.count == 1)
    }
}
