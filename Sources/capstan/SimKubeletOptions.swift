import ArgumentParser
import CapstanKube
import CapstanSim
import Foundation
import Logging
import ServiceLifecycle

/// `capstan sim`'s flags for the kubelet half: simulated nodes, how pods run, and `--attach`.
struct SimKubeletOptions: ParsableArguments {
    @Option(help: "How pods run: scripted (their sim.capstan.dev/* annotations decide) or process (local processes).")
    var kubelet = "scripted"

    @Option(help: "Number of simulated nodes; 0 runs the API server alone, without scheduler or kubelets.")
    var nodes = 4

    @Option(name: .customLong("node-cpu"), help: "CPU capacity of each simulated node.")
    var nodeCPU = "32"

    @Option(name: .customLong("node-memory"), help: "Memory capacity of each simulated node.")
    var nodeMemory = "128Gi"

    @Option(name: .customLong("node-gpus"), help: "GPUs (nvidia.com/gpu) of each simulated node.")
    var nodeGPUs = 0

    @Option(name: .customLong("node-pods"), help: "Pods each simulated node accepts.")
    var nodePods = 10_000

    @Option(name: .customLong("node-taint"), help: "A taint on every simulated node, KEY[=VALUE]:EFFECT (repeatable).")
    var nodeTaints: [String] = []

    @Option(name: .customLong("work-dir"), help: "With --kubelet process: where pods' outputs files go (default: a new temporary directory).")
    var workDir: String?

    @Option(name: .customLong("log-dir"), help: "With --kubelet process: where each pod's log goes, as NAMESPACE/POD.log (default: WORK_DIR/logs).")
    var logDir: String?

    @Option(help: "Run only the simulated nodes, scheduler and kubelets against the API server of this kubeconfig.")
    var attach: String?

    func validate() throws {
        guard ["scripted", "process"].contains(kubelet) else {
            throw ValidationError("--kubelet must be scripted or process, got \(kubelet)")
        }
        do {
            try nodePool.validate()
        } catch {
            throw ValidationError(error.description)
        }
        if attach != nil && nodes == 0 {
            throw ValidationError("--attach runs simulated nodes: give --nodes a positive count")
        }
    }

    var runsKubelets: Bool { nodes > 0 }

    var nodePool: NodePoolConfiguration {
        NodePoolConfiguration(count: nodes, cpu: nodeCPU, memory: nodeMemory, gpus: nodeGPUs, maximumPods: nodePods,
                              taints: nodeTaints)
    }

    /// The kubelets' configuration; for `--kubelet process` this creates the work directory.
    func configuration() throws -> SimulatedKubelets.Configuration {
        guard kubelet == "process" else { return .init(nodes: nodePool, runtime: .scripted) }
        let work = workDir ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("capstan-sim-\(ProcessInfo.processInfo.processIdentifier)").path
        let logs = logDir ?? work + "/logs"
        for directory in [work, logs] {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw ValidationError("cannot create \(directory): \(error.localizedDescription)")
            }
        }
        return .init(nodes: nodePool, runtime: .process(workDirectory: absolute(work), logDirectory: absolute(logs)))
    }

    private func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    /// A client for the kubelets: no client-side rate limit (their worker pools bound the
    /// load) and its own user agent, so audit logs tell their requests apart.
    static let clientOptions = KubeClientOptions(qps: 0, userAgent: "capstan-sim-kubelet/\(capstanVersion)")

    /// The kubelets' client of someone else's API server (`--attach`).
    static func client(_ config: KubeConfig) throws -> KubeClient {
        try KubeClient(config: config, options: clientOptions)
    }

    /// The kubelets' client of the sim's own API server: in process, without HTTP, as a real
    /// cluster's kubelets spend their sockets' CPU on their own nodes, not the API server's.
    static func client(inProcess server: any InProcessAPIServer) -> KubeClient {
        KubeClient(inProcess: server, options: clientOptions)
    }
}

/// `capstan sim --attach`: the kubelet half alone, against someone else's API server.
struct AttachedKubeletsService: Service {
    let kubelets: SimulatedKubelets
    let client: KubeClient
    let logger: Logger

    func run() async throws {
        try await kubelets.registerNodes()
        FileHandle.standardOutput.write(Data(
            "capstan sim: kubelets attached to \(client.config.server.absoluteString) (\(kubelets.configuration.nodes.count) nodes)\n".utf8))
        await cancelWhenGracefulShutdown { await kubelets.run() }
        logger.info("capstan sim: kubelets stopped")
        try await client.shutdown()
    }
}
