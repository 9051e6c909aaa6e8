import CapstanAPI
import CapstanKube
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// `capstan ui`'s web server: HTTP/1.1 on a loopback address, answering from `UIRoutes`.
///
/// Written on SwiftNIO's async channels, which the project already depends on: a Server-Sent
/// Events stream is then a plain loop that writes until the Workflow finishes or the viewer
/// leaves, and shutting down is cancelling one task.
public final class UIServer: Sendable {
    /// The address bound, with the real port when port 0 was asked for.
    public let host: String
    public let port: Int
    private let listener: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
    private let routes: UIRoutes
    private let feed: WorkflowFeed
    private let logger: Logger

    /// `http://127.0.0.1:PORT/`.
    public var url: String { "http://\(host.contains(":") ? "[\(host)]" : host):\(port)/" }

    private init(host: String, port: Int, listener: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>,
                 routes: UIRoutes, feed: WorkflowFeed, logger: Logger) {
        self.host = host
        self.port = port
        self.listener = listener
        self.routes = routes
        self.feed = feed
        self.logger = logger
    }

    /// Opens the listener on `host:port` (port 0 for a free one) for the Workflows in
    /// `namespace` (every namespace when nil), read with `client` — the user's own credentials.
    public static func bind(host: String, port: Int, client: KubeClient, namespace: String?,
                            logger: Logger = Logger(label: "capstan.ui")) async throws -> UIServer {
        let feed = WorkflowFeed(client: client, namespace: namespace, logger: logger)
        let reader = NodeEvidenceReader(client: client, logger: logger)
        let routes = UIRoutes(feed: feed, scope: namespace.map { "namespace \($0)" } ?? "all namespaces") { workflow, node in
            await reader.read(workflow: workflow, node: node)
        }
        return try await bind(host: host, port: port, routes: routes, feed: feed, logger: logger)
    }

    static func bind(host: String, port: Int, routes: UIRoutes, feed: WorkflowFeed, logger: Logger) async throws -> UIServer {
        let listener: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
        do {
            listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.backlog, value: 64)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .bind(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw UIServerError(description: "cannot listen on \(host):\(port): \(error)")
        }
        let bound = listener.channel.localAddress?.port ?? port
        return UIServer(host: host, port: bound, listener: listener, routes: routes, feed: feed, logger: logger)
    }

    /// Watches Workflows and serves until the task is cancelled; then closes every connection
    /// and returns.
    public func run() async throws {
        logger.info("serving the web UI", metadata: ["url": "\(url)"])
        do {
            try await serve()
        } catch is CancellationError {
            // Being cancelled is how the server is asked to stop: not a failure.
        }
        logger.info("stopped serving the web UI", metadata: ["url": "\(url)"])
    }

    private func serve() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await self.feed.run() }
            try await listener.executeThenClose { connections in
                for try await connection in connections {
                    group.addTask {
                        await UIConnection(channel: connection, routes: self.routes, allowedHosts: self.allowedHosts,
                                           logger: self.logger).serve()
                    }
                }
            }
            group.cancelAll()
        }
    }

    /// Event streams open now: one per viewer of a Workflow or of the list.
    var openStreams: Int { feed.subscriberCount }

    /// Host headers a request may carry. Anything else is refused, so that a web page the
    /// user visits cannot reach this server under a name of its own that resolves to
    /// 127.0.0.1 (DNS rebinding) and read the cluster with the user's credentials.
    private var allowedHosts: Set<String> {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        return [bracketed, "\(bracketed):\(port)", "localhost", "localhost:\(port)"]
    }
}

public struct UIServerError: Error, Sendable, CustomStringConvertible {
    public let description: String
}
