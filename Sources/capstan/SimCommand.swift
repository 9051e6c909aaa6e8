import ArgumentParser
import CapstanSim
import Foundation
import ServiceLifecycle
import Logging

struct Sim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a simulated Kubernetes cluster on loopback for tests and benchmarks.",
        discussion: """
            Serves a Kubernetes API (kubectl 1.32 and client-go compatible) from memory, writes a kubeconfig
            for it, and runs until SIGTERM or SIGINT. Once ready it prints
            `capstan sim: listening on http://HOST:PORT` on standard output.
            """
    )

    @Option(help: "Address to listen on (loopback only); port 0 picks a free port.")
    var listen = "127.0.0.1:0"

    @Option(name: .customLong("kubeconfig-out"), help: "Write a kubeconfig for the simulated cluster to this file.")
    var kubeconfigOut: String?

    @Option(help: "How pods run: scripted (annotations decide) or process (local processes).")
    var kubelet = "scripted"

    @Option(help: "Number of simulated nodes.")
    var nodes = 0

    @Option(name: .customLong("node-cpu"), help: "CPU capacity of each simulated node.")
    var nodeCPU = "8"

    @Option(name: .customLong("node-memory"), help: "Memory capacity of each simulated node.")
    var nodeMemory = "32Gi"

    @Option(name: .customLong("node-gpus"), help: "GPUs (nvidia.com/gpu) of each simulated node.")
    var nodeGPUs = 0

    @Option(name: .customLong("fault-rate"), help: "Share of API requests (0...1) that fail with 500 or 429; watches are cut at random.")
    var faultRate = 0.0

    @Option(help: "Run only the simulated nodes and kubelets against the API server of this kubeconfig.")
    var attach: String?

    @Option(name: .customLong("audit-log"), help: "Append one JSON line per API request to this file.")
    var auditLog: String?

    @Option(name: .customLong("watch-history"), help: "Events kept per resource for resuming watches; older versions get 410 Gone.")
    var watchHistory = 20_000

    @Option(name: .customLong("bookmark-interval"), help: "Seconds between BOOKMARK events on watches that allow them.")
    var bookmarkInterval = 10

    func validate() throws {
        guard (0...1).contains(faultRate) else { throw ValidationError("--fault-rate must be between 0 and 1, got \(faultRate)") }
        guard ["scripted", "process"].contains(kubelet) else {
            throw ValidationError("--kubelet must be scripted or process, got \(kubelet)")
        }
        guard listenAddress != nil else {
            throw ValidationError("--listen must be HOST:PORT on loopback (e.g. 127.0.0.1:0), got \(listen)")
        }
        guard watchHistory > 0, bookmarkInterval > 0 else {
            throw ValidationError("--watch-history and --bookmark-interval must be positive")
        }
    }

    private var listenAddress: (host: String, port: Int)? {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
              (0...65535).contains(port) else { return nil }
        let host = String(listen[..<colon])
        guard ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host) else { return nil }
        return (host == "localhost" ? "127.0.0.1" : host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port)
    }

    func run() async throws {
        if attach != nil {
            throw ValidationError("--attach runs the simulated kubelets, which this build does not include yet")
        }
        var logger = Logger(label: "capstan.sim")
        logger.logLevel = .info
        let address = listenAddress!
        let server = SimulatedAPIServer(configuration: .init(
            host: address.host, port: address.port, faultRate: faultRate, auditLogPath: auditLog,
            watchHistorySize: watchHistory, bookmarkInterval: .seconds(Int64(bookmarkInterval))))
        let service = SimService(server: server, kubeconfigOut: kubeconfigOut, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [.sigterm, .sigint],
                                                      logger: logger))
        try await group.run()
    }
}

/// The API server as a lifecycle service: started, announced, then stopped on SIGTERM/SIGINT.
private struct SimService: Service {
    let server: SimulatedAPIServer
    let kubeconfigOut: String?
    let logger: Logger

    func run() async throws {
        let url = try await server.start()
        if let kubeconfigOut {
            do {
                try SimKubeconfig.write(server: url, to: kubeconfigOut)
            } catch {
                try await server.shutdown()
                throw ValidationError("cannot write the kubeconfig to \(kubeconfigOut): \(error.localizedDescription)")
            }
        }
        // Tests wait for this exact line; the kubeconfig is complete before it appears.
        FileHandle.standardOutput.write(Data("capstan sim: listening on \(url.absoluteString)\n".utf8))
        try? await gracefulShutdown()
        logger.info("capstan sim: shutting down")
        try await server.shutdown()
    }
}
