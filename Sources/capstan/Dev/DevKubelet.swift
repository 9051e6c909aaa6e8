import CapstanKube
import CapstanSim
import Foundation
import Logging

/// The process kubelet as `capstan dev` uses it: one simulated node with this machine's CPUs
/// and memory, each pod's main command run as a local process group, the stdout and stderr
/// of every attempt in `logs/NAMESPACE/POD.log`.
struct DevKubelet: Sendable {
    let logDirectory: String
    private let task: Task<Void, Never>

    static func start(client: KubeClient, directory: DevDirectory, logger: Logger) async throws -> DevKubelet {
        let machine = ProcessInfo.processInfo
        let node = NodePoolConfiguration(count: 1, cpu: String(machine.activeProcessorCount),
                                         memory: String(machine.physicalMemory), namePrefix: "local")
        let kubelets = try SimulatedKubelets(
            client: client,
            configuration: .init(nodes: node, runtime: .process(workDirectory: directory.work, logDirectory: directory.logs)),
            logger: logger)
        try await kubelets.registerNodes()
        return DevKubelet(logDirectory: directory.logs, task: Task { await kubelets.run() })
    }

    /// Where the attempt that ran as pod `pod` in namespace `default` wrote its output.
    func logPath(pod: String) -> String {
        "\(logDirectory)/default/\(pod).log"
    }

    /// Stops every process still running and waits until they have exited.
    func shutdown() async {
        task.cancel()
        await task.value
    }
}
