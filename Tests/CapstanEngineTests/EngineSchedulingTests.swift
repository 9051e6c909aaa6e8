import Testing
import CapstanAPI
@testable import CapstanEngine

@Suite struct EngineSchedulingTests {
    static let diamond = """
        inputs: {n: 3}
        defaults: {image: busybox}
        nodes:
          - {name: a, command: [gen], inputs: {n: "{{ inputs.n }}"}, outputs: [x]}
          - {name: b, command: [double, "{{ nodes.a.outputs.x }}"], outputs: ["y"]}
          - {name: c, command: [triple], inputs: {x: "{{ nodes.a.outputs.x }}"}, outputs: [z]}
          - {name: d, inputs: {sum: ["{{ nodes.b.outputs.y }}", "{{ nodes.c.outputs.z }}"]}, outputs: [total]}
        outputs: {total: "{{ nodes.d.outputs.total }}"}
        """

    @Test func dataFlowsThroughADiamond() throws {
        var h = try EngineHarness(Self.diamond)
        h.script = { node, _, _ in
            switch node {
            case "a": return .init(outputs: ["x": 7])
            case "b": return .init(outputs: ["y": 14])
            case "c": return .init(outputs: ["z": 21])
            default: return .init(outputs: ["total": 35])
            }
        }
        let status = h.runToCompletion()
        #expect(status.phase == .succeeded)
        #expect(status.outputs == ["total": 35])
        #expect(status.progress == "4/4")
        #expect(h.node("d").outputsURI == "file:///tmp/capstan-store/ml/wf/uid-1/d/outputs.json")
        #expect(h.store["ml/wf/uid-1/b/outputs.json"] == ["y": 14])
        // b's command received a's output; d's inputs were typed values.
        let b = try #require(h.createdPods(of: "b").first)
        #expect(b.manifest["spec"]?["containers"]?[0]?["command"] == ["double", "7"])
        let d = try #require(h.createdPods(of: "d").first)
        let env = d.manifest["spec"]?["containers"]?[0]?["env"]?.arrayValue ?? []
        #expect(env.first { $0["name"] == "CAPSTAN_INPUTS" }?["value"] == "{\"sum\":[14,21]}")
        // d started only after both b and c finished.
        let times = Dictionary(uniqueKeysWithValues: h.created.map { ($0.request.node, $0.at) })
        #expect(times["d"]! > times["b"]! && times["d"]! > times["c"]!)
        #expect(times["b"]! > times["a"]!)
    }

    @Test func parallelismCapsRunningPods() throws {
        var h = try EngineHarness("""
            parallelism: 2
            defaults: {image: busybox}
            nodes: [{name: a}, {name: b}, {name: c}, {name: d}, {name: e}]
            """)
        h.script = { _, _, _ in .init(duration: 5) }
        #expect(h.runToCompletion().phase == .succeeded)
        #expect(h.maxRunning == 2)
        #expect(h.created.count == 5)
    }

    @Test func podsHaveTheContractShape() throws {
        var h = try EngineHarness("""
            defaults: {image: "python:3.12"}
            nodes:
              - name: train
                command: [python, train.py]
                timeout: 90s
                checkpoint: true
                resources: {requests: {cpu: 500m, memory: 2Gi}, limits: {nvidia.com/gpu: 1}}
                env: [{name: MODE, value: "{{ workflow.name }}"}]
                podTemplate: {nodeSelector: {pool: gpu}, serviceAccountName: trainer}
                podMetadata: {labels: {team: ml}, annotations: {note: "{{ workflow.uid }}"}}
            """)
        _ = h.reconcile()
        let pod = try #require(h.created.first?.request)
        let m = pod.manifest
        #expect(pod.name.count <= 63)
        #expect(pod.name == PodNaming.name(workflow: "wf", uid: "uid-1", node: "train", index: nil, attempt: 0))
        #expect(m["metadata"]?["labels"] == [
            "capstan.dev/workflow": "wf", "capstan.dev/node": "train", "capstan.dev/attempt": "0",
            "app.kubernetes.io/managed-by": "capstan", "team": "ml",
        ])
        #expect(m["metadata"]?["annotations"] == ["note": "uid-1"])
        #expect(m["metadata"]?["ownerReferences"]?[0]?["controller"] == true)
        #expect(m["metadata"]?["ownerReferences"]?[0]?["uid"] == "uid-1")
        let spec = try #require(m["spec"])
        #expect(spec["restartPolicy"] == "Never")
        #expect(spec["activeDeadlineSeconds"] == 90)
        #expect(spec["nodeSelector"] == ["pool": "gpu"])
        #expect(spec["serviceAccountName"] == "trainer")
        #expect(spec["tolerations"] == [["key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"]])
        let container = try #require(spec["containers"]?[0])
        #expect(container["name"] == "main")
        #expect(container["resources"] == ["requests": ["cpu": "500m", "memory": "2Gi"], "limits": ["nvidia.com/gpu": "1"]])
        let env = Dictionary(uniqueKeysWithValues: (container["env"]?.arrayValue ?? []).map { ($0["name"]!.stringValue!, $0["value"]?.stringValue ?? "") })
        #expect(env["CAPSTAN_WORKFLOW"] == "wf")
        #expect(env["CAPSTAN_NAMESPACE"] == "ml")
        #expect(env["CAPSTAN_NODE"] == "train")
        #expect(env["CAPSTAN_ATTEMPT"] == "0")
        #expect(env["CAPSTAN_OUTPUTS_FILE"] == "/dev/termination-log")
        #expect(env["CAPSTAN_OUTPUTS_URI"] == "file:///tmp/capstan-store/ml/wf/uid-1/train/outputs.json")
        #expect(env["CAPSTAN_CHECKPOINT_URI"] == "file:///tmp/capstan-store/ml/wf/uid-1/train/checkpoint/0/")
        #expect(env["CAPSTAN_PREV_CHECKPOINT_URI"] == "")
        #expect(env["MODE"] == "wf")
        #expect(container["terminationMessagePath"] == "/dev/termination-log")
    }

    @Test func podNamesAreDeterministicAndShort() {
        let long = String(repeating: "n", count: 50)
        let name = PodNaming.name(workflow: String(repeating: "w", count: 63), uid: "u", node: long, index: 999_999, attempt: 12)
        #expect(name.count <= 63)
        #expect(DNSName.isSubdomain(name))
        #expect(name == PodNaming.name(workflow: String(repeating: "w", count: 63), uid: "u", node: long, index: 999_999, attempt: 12))
        #expect(name != PodNaming.name(workflow: String(repeating: "w", count: 63), uid: "v", node: long, index: 999_999, attempt: 12))
    }

    @Test func aRestartedControllerAdoptsPodsInsteadOfCreatingThemAgain() throws {
        var h = try EngineHarness("""
            defaults: {image: busybox}
            nodes: [{name: a}, {name: b}]
            """)
        h.script = { _, _, _ in .init(duration: 10) }
        _ = h.reconcile()
        #expect(h.created.count == 2)
        // The status write was lost: the controller restarts from an empty status.
        h.status = WorkflowStatus()
        _ = h.reconcile()
        #expect(h.created.count == 2)
        #expect(h.node("a").phase == .running)
        h.runToCompletion()
        #expect(h.status.phase == .succeeded)
        #expect(h.created.count == 2)
    }

    @Test func aPodThatFinishedWhileItsStartWasUnsavedCountsAsTheAttemptItWas() throws {
        var h = try EngineHarness("""
            defaults: {image: busybox}
            nodes: [{name: a}]
            """)
        h.script = { _, _, _ in .init(duration: 1) }
        _ = h.reconcile()
        // The controller dies before saving the start; by its restart the pod has finished.
        h.status = WorkflowStatus()
        h.advance(by: 5)
        h.runToCompletion()
        #expect(h.node("a").phase == .succeeded)
        #expect(h.node("a").attempts == 1)
        #expect(h.node("a").startedAt != nil)
        #expect(h.created.count == 1)
    }

    @Test func randomDAGsRunEveryNodeOnceAfterItsDependencies() throws {
        var rng = SeededGenerator(seed: 42)
        for _ in 0..<25 {
            let count = Int.random(in: 1...14, using: &rng)
            let parallelism = Int.random(in: 1...4, using: &rng)
            var lines = ["parallelism: \(parallelism)", "defaults: {image: busybox}", "nodes:"]
            var deps: [Int: [Int]] = [:]
            for i in 0..<count {
                let chosen = (0..<i).filter { _ in Int.random(in: 0..<3, using: &rng) == 0 }
                deps[i] = chosen
                lines.append("  - {name: n\(i), dependsOn: [\(chosen.map { "n\($0)" }.joined(separator: ", "))]}")
            }
            var h = try EngineHarness(lines.joined(separator: "\n"))
            h.script = { _, _, _ in .init(duration: Double(Int.random(in: 1...3))) }
            #expect(h.runToCompletion().phase == .succeeded)
            #expect(h.created.count == count)
            #expect(h.maxRunning <= parallelism)
            let start = Dictionary(uniqueKeysWithValues: h.created.map { ($0.request.node, $0.at) })
            for (i, ds) in deps {
                for d in ds { #expect(start["n\(i)"]! > start["n\(d)"]!) }
            }
        }
    }
}

/// A small deterministic generator (SplitMix64) so property tests are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
