import CapstanAPI
import CapstanEngine
import Foundation

/// Measures one engine step over a large map: how long a step takes when one item finishes
/// and one starts, and how large the status is. Prints JSON and a table.
@main
struct EngineBenchmark {
    static func main() {
        let items = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 100_000
        let concurrency = 5_000
        let spec: JSONValue = [
            "inputs": ["xs": .array((0..<items).map { .number(Double($0)) })],
            "defaults": ["image": "busybox"],
            "nodes": [["name": "big", "map": ["over": "{{ inputs.xs }}", "concurrency": .number(Double(concurrency))]]],
        ]
        let compiled = WorkflowCompiler.compile(spec)
        let metadata = ObjectMeta(name: "bench", namespace: "default", uid: "u", generation: 1)
        var config = EngineConfig()
        config.maxPodCreatesPerStep = concurrency
        let engine = WorkflowEngine(config: config)
        var now = Timestamp(secondsSince1970: 1_000_000)

        // Reach a steady state: half the items done, `concurrency` running.
        var status = WorkflowStatus()
        var pods: [String: ObservedPod] = [:]
        var first = engine.step(StepInput(metadata: metadata, compiled: compiled, status: status, now: now))
        status = first.status
        var map = status.nodes["big"]!.map!
        for i in 0..<(items / 2) { map.items[i] = .succeeded }
        for i in (items / 2)..<(items / 2 + concurrency) {
            map.items[i] = .running
            let name = PodNaming.name(workflow: "bench", uid: "u", node: "big", index: i, attempt: 0)
            pods[name] = ObservedPod(name: name, node: "big", index: i, attempt: 0, phase: .running)
        }
        status.nodes["big"]!.map = map
        first = engine.step(StepInput(metadata: metadata, compiled: compiled, status: status, pods: Array(pods.values), now: now))

        let rounds = 50
        var durations: [Double] = []
        var next = items / 2
        for _ in 0..<rounds {
            let name = PodNaming.name(workflow: "bench", uid: "u", node: "big", index: next, attempt: 0)
            pods[name]?.phase = .succeeded
            next += 1
            now = now + 1
            let podList = Array(pods.values)
            let start = DispatchTime.now().uptimeNanoseconds
            let result = engine.step(StepInput(metadata: metadata, compiled: compiled, status: status, pods: podList, now: now))
            durations.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            status = result.status
            for case .createPod(let request) in result.actions {
                pods[request.name] = ObservedPod(name: request.name, node: "big", index: request.index, attempt: 0, phase: .running)
            }
            for case .deletePod(let name, _) in result.actions { pods.removeValue(forKey: name) }
        }
        durations.sort()
        let statusBytes = status.json.serialized().count
        let p50 = durations[durations.count / 2], p99 = durations[durations.count * 99 / 100]
        print("{\"benchmark\":\"engine-step\",\"items\":\(items),\"running\":\(concurrency),\"step_ms_p50\":\(String(format: "%.2f", p50)),\"step_ms_p99\":\(String(format: "%.2f", p99)),\"status_bytes\":\(statusBytes)}")
        print("engine step over a \(items)-item map with \(concurrency) running pods")
        print("  step p50      \(String(format: "%8.2f", p50)) ms")
        print("  step p99      \(String(format: "%8.2f", p99)) ms")
        print("  status size   \(statusBytes) bytes (budget 262144)")
    }
}
