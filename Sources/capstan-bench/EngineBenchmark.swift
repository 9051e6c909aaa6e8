import CapstanAPI
import CapstanEngine
import Foundation

/// Measures one engine step over a large map: how long a step takes when one item finishes
/// and one starts, and how large the status is. Prints JSON and a table.
@main
struct EngineBenchmark {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let items = arguments.first.flatMap { Int($0) } ?? 100_000
        let concurrency = arguments.dropFirst().first.flatMap { Int($0) } ?? 5_000
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

        // What the controller pays per reconcile besides the step: decoding the saved
        // status and encoding the new one. Then the worst layout a map reaches in practice:
        // every other item of a window running, the rest of the window succeeded.
        var codec: [Double] = []
        for _ in 0..<20 {
            let start = DispatchTime.now().uptimeNanoseconds
            let decoded = WorkflowStatus(json: status.json)
            _ = decoded.json.serialized()
            codec.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        codec.sort()
        var scattered = status
        var scatteredMap = MapStatus(total: items)
        for i in 0..<(items / 2) { scatteredMap.items[i] = .succeeded }
        for k in 0..<min(concurrency, items / 4) { scatteredMap.items[items / 2 + 2 * k] = .running; scatteredMap.items[items / 2 + 2 * k + 1] = .succeeded }
        scattered.nodes["big"]!.map = scatteredMap
        let scatteredBytes = scattered.json.serialized().count
        let codecP50 = codec[codec.count / 2]
        let p50 = durations[durations.count / 2], p99 = durations[durations.count * 99 / 100]
        print("{\"benchmark\":\"engine-step\",\"items\":\(items),\"running\":\(concurrency),\"step_ms_p50\":\(String(format: "%.2f", p50)),\"step_ms_p99\":\(String(format: "%.2f", p99)),\"status_bytes\":\(statusBytes),\"status_codec_ms_p50\":\(String(format: "%.2f", codecP50)),\"scattered_status_bytes\":\(scatteredBytes)}")
        print("engine step over a \(items)-item map with \(concurrency) running pods")
        print("  step p50      \(String(format: "%8.2f", p50)) ms")
        print("  step p99      \(String(format: "%8.2f", p99)) ms")
        print("  status size   \(statusBytes) bytes (budget 262144)")
        print("  status decode+encode p50 \(String(format: "%.2f", codecP50)) ms")
        print("  status with \(min(concurrency, items / 4)) scattered running items: \(scatteredBytes) bytes")
    }
}
