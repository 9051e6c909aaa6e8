import ArgumentParser
import CapstanController
import CapstanUI
import Foundation
import Logging
import ServiceLifecycle

/// `capstan ui`: the read-only web view of SPEC §14, served on loopback with the user's own
/// kubeconfig until SIGTERM or Ctrl-C.
struct UICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ui",
        abstract: "Serve a read-only web view of Workflows on this machine, live from the cluster.",
        discussion: """
            Lists the Workflows of the namespace (or of all of them with -A), and shows each one's DAG,
            its nodes' attempts, failures, outputs, log links and pod logs, updated as the Workflow runs.
            It reads the cluster with your kubeconfig and has no credentials of its own, so it listens
            on a loopback address only. Runs until SIGTERM or Ctrl-C.
            Examples:
              capstan ui
              capstan ui --listen 127.0.0.1:9000 -n ml
            """)

    @Option(help: ArgumentHelp("Loopback address to serve on; port 0 picks a free one.", valueName: "127.0.0.1:PORT"))
    var listen = "127.0.0.1:8642"

    @OptionGroup var cluster: ClusterOptions

    @Flag(name: [.customShort("A"), .customLong("all-namespaces")], help: "Show the Workflows of every namespace.")
    var allNamespaces = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    func validate() throws {
        _ = try Self.loopback(listen)
        do { _ = try LogSetup.parseLevel(logLevel) } catch { throw ValidationError("\(error)") }
    }

    /// The UI acts with the user's credentials: on any other address, anyone who can reach it
    /// would read the cluster as that user.
    static func loopback(_ text: String) throws -> ListenAddress {
        let address: ListenAddress
        do { address = try ListenAddress(parsing: text, flag: "--listen") } catch { throw ValidationError("\(error)") }
        guard address.host == "localhost" || address.host == "::1" || address.host.hasPrefix("127.") else {
            throw ValidationError("--listen must be a loopback address (127.0.0.1:PORT or [::1]:PORT), not \"\(text)\": "
                                  + "the UI reads the cluster with your credentials")
        }
        return address
    }

    func run() async throws {
        let address = try Self.loopback(listen)
        LogSetup.bootstrap(format: .text, level: try LogSetup.parseLevel(logLevel))
        let logger = Logger(label: "capstan.ui")
        try await cluster.withClient { client, namespace in
            let watched = allNamespaces ? nil : namespace
            let server = try await UIServer.bind(host: address.host == "localhost" ? "127.0.0.1" : address.host, port: address.port,
                                                 client: client, namespace: watched, logger: logger)
            // Written at once, unbuffered: scripts and tests wait for this line to know the port.
            let scope = watched.map { "namespace \($0)" } ?? "all namespaces"
            FileHandle.standardOutput.write(Data("capstan ui: serving \(server.url) (Workflows in \(scope); Ctrl-C to stop)\n".utf8))
            let group = ServiceGroup(configuration: .init(services: [UIService(server: server)], gracefulShutdownSignals: [.sigterm, .sigint],
                                                          logger: logger))
            try await group.run()
        }
    }
}

/// The server as a lifecycle service: it stops serving when SIGTERM or SIGINT arrives.
struct UIService: Service {
    let server: UIServer

    func run() async throws {
        try await cancelWhenGracefulShutdown { try await server.run() }
    }
}
