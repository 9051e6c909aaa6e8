import Testing
import CapstanAPI
@testable import CapstanEngine
import TestSupport

@Suite struct EngineMapTests {
    @Test func mapRespectsConcurrencyAndGathersOutputsInOrder() throws {
        var h = try EngineHarness("""
            inputs: {xs: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]}
            defaults: {image: busybox}
            nodes:
              - name: sq
                map: {over: "{{ inputs.xs }}", concurrency: 3}
                command: [sq, "{{ item }}", "{{ index }}"]
                podMetadata: {annotations: {item: "{{ item }}"}}
                outputs: ["y"]
              - {name: sum, inputs: {ys: "{{ nodes.sq.outputs.y }}"}, outputs: [s]}
            """)
        h.script = { node, index, _ in
            node == "sq" ? .init(duration: Double(1 + (index ?? 0) % 3), outputs: ["y": .number(Double((index ?? 0) * (index ?? 0)))]) : .init(outputs: ["s": 1])
        }
        #expect(h.runToCompletion().phase == .succeeded)
        #expect(h.maxRunning == 3)
        #expect(h.createdPods(of: "sq").count == 20)
        #expect(h.node("sq").map?.succeeded == 20)
        #expect(h.store["ml/wf/uid-1/sq/outputs.json"]?["y"] == .array((0..<20).map { .number(Double($0 * $0)) }))
        #expect(h.store["ml/wf/uid-1/sq/7/outputs.json"] == ["y": 49])
        let seventh = try #require(h.createdPods(of: "sq").first { $0.index == 7 })
        #expect(seventh.manifest["metadata"]?["labels"]?["capstan.dev/index"] == "7")
        #expect(seventh.manifest["metadata"]?["annotations"]?["item"] == "7")
        #expect(seventh.manifest["spec"]?["containers"]?[0]?["command"] == ["sq", "7", "7"])
    }

    @Test(arguments: [(0.8, WorkflowPhase.succeeded), (0.9, WorkflowPhase.failed)])
    func minSuccessRatio(ratio: Double, expected: WorkflowPhase) throws {
        var h = try EngineHarness("""
            defaults: {image: busybox}
            nodes:
              - {name: m, map: {over: [a, b, c, d, e, f, g, h, i, j], minSuccessRatio: \(ratio)}, outputs: [v]}
            """)
        h.script = { _, index, _ in [2, 5].contains(index ?? -1) ? .init(outcome: .failed) : .init(outputs: ["v": "ok"]) }
        #expect(h.runToCompletion().phase == expected)
        if expected == .succeeded {
            let gathered = try #require(h.store["ml/wf/uid-1/m/outputs.json"]?["v"]?.arrayValue)
            #expect(gathered.count == 10)
            #expect(gathered[2] == .null && gathered[5] == .null && gathered[0] == "ok")
        } else {
            #expect(h.node("m").message?.contains("minSuccessRatio") == true)
        }
    }

    @Test func mapItemsRetryOnTheirOwn() throws {
        var h = try EngineHarness("""
            defaults: {image: busybox, retryBackoff: {initial: 1s}}
            nodes: [{name: m, retries: 2, map: {over: [1, 2, 3], concurrency: 2}}]
            """)
        h.script = { _, index, attempt in index == 1 && attempt < 2 ? .init(outcome: .failed) : .init() }
        #expect(h.runToCompletion().phase == .succeeded)
        let attempts = h.createdPods(of: "m").filter { $0.index == 1 }.map(\.attempt)
        #expect(attempts == [0, 1, 2])
        #expect(h.node("m").failures.map(\.index) == [1, 1])
        #expect(h.node("m").map?.retrying.isEmpty == true)
    }

    @Test func aHundredThousandItemMapStatusStaysUnderBudget() async throws {
        let (status, map, livePods, largest) = try await Blocking.compute {
            var h = try EngineHarness("""
                inputs: {xs: [\((0..<100_000).map(String.init).joined(separator: ","))]}
                defaults: {image: busybox}
                podGC: OnSuccess
                nodes: [{name: big, map: {over: "{{ inputs.xs }}", concurrency: 5000}, retries: 1}]
                """)
            h.engine.config.maxPodCreatesPerStep = 5000
            h.script = { _, index, attempt in (index ?? 0) % 97 == 0 && attempt == 0 ? .init(outcome: .failed) : .init() }
            var largest = 0
            for _ in 0..<200 {
                let result = h.reconcile()
                largest = max(largest, result.status.json.serialized().count)
                if result.status.phase.isTerminal { break }
                h.advance(by: 1)
            }
            return (h.status, h.node("big").map, h.pods.count, largest)
        }
        #expect(status.phase == .succeeded)
        #expect(map?.succeeded == 100_000)
        #expect(largest < 256 * 1024)
        // Succeeded pods are deleted once the status that records them is saved.
        #expect(livePods < 5000)
    }
}

@Suite struct EngineConditionTests {
    @Test func whenSkipsAndSkipsPropagateThroughReferencesOnly() throws {
        var h = try EngineHarness("""
            defaults: {image: busybox}
            nodes:
              - {name: score, outputs: [value]}
              - {name: publish, when: "nodes.score.outputs.value > 0.9", outputs: [url]}
              - {name: announce, inputs: {url: "{{ nodes.publish.outputs.url }}"}}
              - {name: cleanup, dependsOn: [publish]}
              - {name: retrain, when: "nodes.score.outputs.value <= 0.9"}
            outputs: {url: "{{ nodes.publish.outputs.url }}"}
            """)
        h.script = { node, _, _ in node == "score" ? .init(outputs: ["value": 0.5]) : .init(outputs: ["url": "x"]) }
        #expect(h.runToCompletion().phase == .succeeded)
        #expect(h.node("publish").phase == .skipped)
        #expect(h.node("announce").phase == .skipped)
        #expect(h.node("cleanup").phase == .succeeded)
        #expect(h.node("retrain").phase == .succeeded)
        #expect(h.status.outputs == ["url": nil])
    }
}

@Suite struct EngineStoreTests {
    static let cached = """
        inputs: {n: 5}
        defaults: {image: busybox}
        nodes:
          - {name: prep, command: [prep, "{{ inputs.n }}"], outputs: [data], cache: {version: "1"}}
          - {name: use, inputs: {d: "{{ nodes.prep.outputs.data }}"}}
        """

    @Test func aSecondRunTakesCachedNodesFromTheCache() throws {
        var first = try EngineHarness(Self.cached)
        first.script = { _, _, _ in .init(outputs: ["data": "s3://x"]) }
        #expect(first.runToCompletion().phase == .succeeded)
        #expect(first.node("prep").cached == false)
        #expect(first.store.keys.contains { $0.hasPrefix("ml/.cache/") })

        var second = try EngineHarness(Self.cached)
        second.metadata.uid = "uid-2"
        second.store = first.store
        second.script = first.script
        #expect(second.runToCompletion().phase == .succeeded)
        #expect(second.node("prep").cached == true)
        #expect(second.createdPods(of: "prep").isEmpty)
        #expect(second.store["ml/wf/uid-2/prep/outputs.json"] == ["data": "s3://x"])

        var changed = try EngineHarness(Self.cached.replacingOccurrences(of: "n: 5", with: "n: 6"))
        changed.store = first.store
        changed.script = first.script
        changed.runToCompletion()
        #expect(changed.createdPods(of: "prep").count == 1)
    }

    @Test func recoverFromReusesWhatSucceededAndRerunsTheRest() throws {
        let spec = """
            inputs: {xs: [1, 2, 3]}
            defaults: {image: busybox}
            failurePolicy: Continue
            nodes:
              - {name: prep, outputs: [data]}
              - {name: fan, map: {over: "{{ inputs.xs }}"}, inputs: {d: "{{ nodes.prep.outputs.data }}"}, outputs: ["y"]}
              - {name: train, inputs: {d: "{{ nodes.prep.outputs.data }}"}, outputs: [model]}
              - {name: report, inputs: {m: "{{ nodes.train.outputs.model }}", ys: "{{ nodes.fan.outputs.y }}"}}
            """
        var first = try EngineHarness(spec)
        first.script = { node, index, _ in
            switch node {
            case "prep": return .init(outputs: ["data": "d1"])
            case "fan": return .init(outputs: ["y": .number(Double(index ?? 0))])
            case "train": return .init(outputs: .object([:]))
            default: return .init()
            }
        }
        #expect(first.runToCompletion().phase == .failed)
        #expect(first.node("train").failures.first?.reason == .outputsMissing)

        var second = try EngineHarness("recoverFrom: wf\n" + spec)
        second.metadata.uid = "uid-2"
        second.store = first.store
        for (name, node) in first.status.nodes where node.phase == .succeeded {
            second.recoverable[name] = RecoverableNode(key: node.key ?? "", outputsKey: "ml/wf/uid-1/\(name)/outputs.json", map: node.map)
        }
        second.script = { node, index, _ in
            node == "train" ? .init(outputs: ["model": "m"]) : first.script(node, index, 0)
        }
        #expect(second.runToCompletion().phase == .succeeded)
        #expect(second.createdPods(of: "prep").isEmpty)
        #expect(second.createdPods(of: "fan").isEmpty)
        #expect(second.createdPods(of: "train").count == 1)
        #expect(second.createdPods(of: "report").count == 1)
        #expect(second.node("prep").recovered && second.node("fan").recovered)
        #expect(second.store["ml/wf/uid-2/fan/outputs.json"] == ["y": [0, 1, 2]])
        #expect(second.store["ml/wf/uid-2/prep/outputs.json"] == ["data": "d1"])
    }

    @Test func checkpointsPointAtThePreviousAttempt() throws {
        var h = try EngineHarness("defaults: {image: busybox, retryBackoff: {initial: 1s}}\nnodes: [{name: t, retries: 1, checkpoint: true}]")
        h.script = { _, _, attempt in attempt == 0 ? .init(outcome: .failed) : .init() }
        h.runToCompletion()
        let retry = try #require(h.created.last?.request.manifest["spec"]?["containers"]?[0]?["env"]?.arrayValue)
        let env = Dictionary(uniqueKeysWithValues: retry.map { ($0["name"]!.stringValue!, $0["value"]?.stringValue ?? "") })
        #expect(env["CAPSTAN_CHECKPOINT_URI"] == "file:///tmp/capstan-store/ml/wf/uid-1/t/checkpoint/1/")
        #expect(env["CAPSTAN_PREV_CHECKPOINT_URI"] == "file:///tmp/capstan-store/ml/wf/uid-1/t/checkpoint/0/")
    }

    @Test(arguments: [(PodGCPolicy.onSuccess, 1), (.never, 2), (.onCompletion, 0)])
    func podGCDeletesFinishedPodsAsConfigured(policy: PodGCPolicy, remaining: Int) throws {
        var h = try EngineHarness("podGC: \(policy.rawValue)\ndefaults: {image: busybox}\nnodes: [{name: ok}, {name: bad}]\nfailurePolicy: Continue")
        h.script = { node, _, _ in node == "bad" ? .init(outcome: .failed) : .init() }
        h.runToCompletion()
        _ = h.reconcile()
        #expect(h.pods.count == remaining)
    }
}
