import ArgumentParser
import CapstanKube
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

    @Option(name: .customLong("fault-rate"), help: "Share of API requests (0...1) that fail with 500 or 429; watches are cut at random.")
    var faultRate = 0.0

    @OptionGroup(title: "Simulated nodes and kubelets")
    var kubelets: SimKubeletOptions

    @Option(name: .customLong("audit-log"), help: "Append one JSON line per API request to this file.")
    var auditLog: String?

    @Option(name: .customLong("watch-history"), help: "Events kept per resource for resuming watches; older versions get 410 Gone.")
    var watchHistory = 20_000

    @Option(name: .customLong("bookmark-interval"), help: "Seconds between BOOKMARK events on watches that allow them.")
    var bookmarkInterval = 10

    @Option(name: .customLong("event-loop-threads"), help: "Threads serving the API (default 1: writes take one store lock in turn, so more threads mostly wait for it).")
    var eventLoopThreads: Int = SimulatedAPIServer.Configuration.defaultEventLoopThreads

    @Flag(name: .customLong("no-priority-and-fairness"), help: "Answer as an API server without API Priority and Fairness (no X-Kubernetes-PF-* headers).")
    var noPriorityAndFairness = false

    func validate() throws {
        guard (0...1).contains(faultRate) else { throw ValidationError("--fault-rate must be between 0 and 1, got \(faultRate)") }
        if kubelets.attach != nil && (kubeconfigOut != nil || auditLog != nil || faultRate > 0) {
            throw ValidationError("--kubeconfig-out, --audit-log and --fault-rate apply to the sim's own API server, which --attach does not run")
        }
        guard listenAddress != nil else {
            throw ValidationError("--listen must be HOST:PORT on loopback (e.g. 127.0.0.1:0), got \(listen)")
        }
        guard watchHistory > 0, bookmarkInterval > 0 else {
            throw ValidationError("--watch-history and --bookmark-interval must be positive")
        }
        guard (1...64).contains(eventLoopThreads) else {
            throw ValidationError("--event-loop-threads must be between 1 and 64, got \(eventLoopThreads)")
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
        NetworkThreads.configure()
        var logger = Logger(label: "capstan.sim")
        logger.logLevel = .info
        if let attach = kubelets.attach {
            return try await runAttached(to: attach, logger: logger)
        }
        let address = listenAddress!
        let kubeletConfiguration = kubelets.runsKubelets ? try kubelets.configuration() : nil
        var podLogDirectory: String?
        if case .process(_, let logDirectory) = kubeletConfiguration?.runtime { podLogDirectory = logDirectory }
        var configuration = SimulatedAPIServer.Configuration(
            host: address.host, port: address.port, faultRate: faultRate, auditLogPath: auditLog,
            watchHistorySize: watchHistory, bookmarkInterval: .seconds(Int64(bookmarkInterval)),
            gracefulPodDeletion: kubelets.runsKubelets, eventLoopThreads: eventLoopThreads, podLogDirectory: podLogDirectory)
        configuration.priorityAndFairness = !noPriorityAndFairness
        let server = SimulatedAPIServer(configuration: configuration)
        let service = SimService(server: server, kubeconfigOut: kubeconfigOut, logger: logger, kubelets: kubeletConfiguration)
        let group = ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [.sigterm, .sigint],
                                                      logger: logger))
        try await group.run()
    }

    private func runAttached(to kubeconfig: String, logger: Logger) async throws {
        let config: KubeConfig
        do {
            config = try KubeConfig.load(kubeconfigPath: kubeconfig)
        } catch {
            throw ValidationError("--attach \(kubeconfig): \(error)")
        }
        let client = try SimKubeletOptions.client(config)
        let service = AttachedKubeletsService(kubelets: try SimulatedKubelets(client: client, configuration: try kubelets.configuration(),
                                                                              logger: logger),
                                              client: client, logger: logger)
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
    /// The kubelet half, connected to this server in process; nil with --nodes 0.
    let kubelets: SimulatedKubelets.Configuration?

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
        var kubeletHalf: (client: KubeClient, task: Task<Void, Never>)?
        if let kubelets {
            let client = SimKubeletOptions.client(inProcess: server.inProcess)
            do {
                let simulated = try SimulatedKubelets(client: client, configuration: kubelets, logger: logger)
                // Nodes exist before anyone is told the cluster is up.
                try await simulated.registerNodesRetrying()
                kubeletHalf = (client, Task { await simulated.run() })
            } catch {
                try? await client.shutdown()
                try await server.shutdown()
                throw error
            }
        }
        // Tests wait for this exact line; the kubeconfig is complete before it appears.
        FileHandle.standardOutput.write(Data("capstan sim: listening on \(url.absoluteString)\n".utf8))
        try? await gracefulShutdown()
        logger.info("capstan sim: shutting down")
        if let kubeletHalf {
            kubeletHalf.task.cancel()
            await kubeletHalf.task.value
            try? await kubeletHalf.client.shutdown()
        }
        try await server.shutdown()
    }

}
