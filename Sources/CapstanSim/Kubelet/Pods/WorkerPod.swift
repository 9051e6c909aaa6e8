import CapstanAPI
import CapstanWorker

/// A map's worker pod (SPEC §15) as the scripted kubelet runs it: not a timer, but an
/// in-process `capstan worker` loop that takes items from the controller and "runs" each as
/// the pod's `sim.capstan.dev/*` script says an item pod would.
struct WorkerPod: Sendable, Hashable {
    /// The pod's script; each item applies it to its own index and attempt.
    var script: PodScript
    /// The main container's literal environment, where the worker finds the controller.
    var environment: [String: String]

    /// Whether the container runs `capstan worker`: `command: ["/capstan/capstan", "worker", ...]`.
    static func runsWorker(_ container: JSONValue) -> Bool {
        let words = ((container["command"]?.arrayValue ?? []) + (container["args"]?.arrayValue ?? [])).compactMap(\.stringValue)
        return words.count >= 2 && words[0] == WorkerProtocol.binaryPath && words[1] == "worker"
    }

    init(script: PodScript, container: JSONValue) {
        self.script = script
        var environment: [String: String] = [:]
        for entry in container["env"]?.arrayValue ?? [] {
            guard let name = entry["name"]?.stringValue, let value = entry["value"]?.stringValue else { continue }
            environment[name] = value
        }
        self.environment = environment
    }
}
