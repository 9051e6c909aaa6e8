import CapstanUI
import Logging

/// `capstan dev --ui`: the web UI on a free loopback port, reading the in-process cluster, kept
/// up after the run until Ctrl-C so the finished Workflow can still be looked at.
struct DevUI: Sendable {
    let server: UIServer
    private let task: Task<Void, any Error>

    static func start(cluster: DevCluster, logger: Logger) async throws -> DevUI {
        let server = try await UIServer.bind(host: "127.0.0.1", port: 0, client: cluster.client, namespace: "default", logger: logger)
        return DevUI(server: server, task: Task { try await server.run() })
    }

    var url: String { server.url }

    /// Returns once a signal beyond the `seen` already counted arrives.
    func waitForSignal(_ signals: SignalTrap, seen: Int) async {
        while signals.count <= seen {
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }
}
