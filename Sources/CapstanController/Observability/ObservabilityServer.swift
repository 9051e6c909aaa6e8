import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// The controller's HTTP endpoints: `GET /metrics` on `--metrics-addr` and `/healthz` and
/// `/readyz` on `--health-addr` (one listener when both flags name the same address).
///
/// `bind` opens the sockets, so a taken port fails at startup with the flag's name, and the
/// ports actually bound (for port 0) are known before anything runs. `run()` serves until
/// graceful shutdown or cancellation, then closes the listeners and open connections. Put it
/// first in the `ServiceGroup` so it stops last and metrics stay scrapable while the
/// controller drains.
public final class ObservabilityServer: Service, Sendable {
    /// The addresses bound, with the real port when the flag asked for port 0.
    public let metricsAddress: ListenAddress
    public let healthAddress: ListenAddress

    private let listeners: [Channel]
    private let connections: ConnectionSet
    private let logger: Logger
    private let closing = NIOLockedValueBox(false)

    private init(metricsAddress: ListenAddress, healthAddress: ListenAddress, listeners: [Channel],
                 connections: ConnectionSet, logger: Logger) {
        self.metricsAddress = metricsAddress
        self.healthAddress = healthAddress
        self.listeners = listeners
        self.connections = connections
        self.logger = logger
    }

    /// Opens the listeners. Call `run()` to serve, or `close()` if the server is not run.
    public static func bind(metricsAddress: ListenAddress = .defaultMetrics, healthAddress: ListenAddress = .defaultHealth,
                            metrics: ControllerMetrics, health: HealthChecks,
                            logger: Logger = Logger(label: "capstan.observability"),
                            eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> ObservabilityServer {
        let connections = ConnectionSet()
        if metricsAddress == healthAddress && metricsAddress.port != 0 {
            let routes = ObservabilityRoutes(metrics: metrics, health: health)
            let channel = try await open(metricsAddress, flag: "--metrics-addr and --health-addr", routes: routes,
                                         connections: connections, group: eventLoopGroup)
            let bound = boundAddress(channel, requested: metricsAddress)
            logger.info("serving /metrics, /healthz and /readyz", metadata: ["address": "\(bound)"])
            return ObservabilityServer(metricsAddress: bound, healthAddress: bound, listeners: [channel],
                                       connections: connections, logger: logger)
        }
        let metricsChannel = try await open(metricsAddress, flag: "--metrics-addr", routes: ObservabilityRoutes(metrics: metrics),
                                            connections: connections, group: eventLoopGroup)
        let healthChannel: Channel
        do {
            healthChannel = try await open(healthAddress, flag: "--health-addr", routes: ObservabilityRoutes(health: health),
                                           connections: connections, group: eventLoopGroup)
        } catch {
            try? await metricsChannel.close()
            throw error
        }
        let server = ObservabilityServer(metricsAddress: boundAddress(metricsChannel, requested: metricsAddress),
                                         healthAddress: boundAddress(healthChannel, requested: healthAddress),
                                         listeners: [metricsChannel, healthChannel], connections: connections, logger: logger)
        logger.info("serving /metrics and health checks", metadata: [
            "metrics-addr": "\(server.metricsAddress)", "health-addr": "\(server.healthAddress)",
        ])
        return server
    }

    /// Serves until graceful shutdown or cancellation; throws if a listener closes by itself.
    public func run() async throws {
        let anyListenerClosed = listeners[0].eventLoop.makePromise(of: Void.self)
        for listener in listeners {
            listener.closeFuture.whenComplete { _ in anyListenerClosed.succeed() }
        }
        let stopRequested = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                // Returns on graceful shutdown, throws on cancellation: either way, stop.
                try? await gracefulShutdown()
                return true
            }
            group.addTask {
                try? await anyListenerClosed.futureResult.get()
                return false
            }
            let first = await group.next()!
            let wasClosing = closing.withLockedValue { $0 }
            await close()
            group.cancelAll()
            return first || wasClosing
        }
        guard stopRequested else {
            throw ObservabilityServerError(description: "the metrics and health listener closed unexpectedly")
        }
    }

    /// Closes the listeners and every open connection. Idempotent.
    public func close() async {
        let alreadyClosing = closing.withLockedValue { state -> Bool in
            defer { state = true }
            return state
        }
        for listener in listeners {
            try? await listener.close()
        }
        guard !alreadyClosing else { return }
        await connections.closeAll()
        logger.debug("observability endpoints closed")
    }

    private static func open(_ address: ListenAddress, flag: String, routes: ObservabilityRoutes,
                             connections: ConnectionSet, group: any EventLoopGroup) async throws -> Channel {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                connections.insert(channel)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(ObservabilityHTTPHandler(routes: routes))
                }
            }
        do {
            return try await bootstrap.bind(host: address.bindHost, port: address.port).get()
        } catch {
            throw ObservabilityServerError(description: "cannot listen on \(address) (\(flag)): \(error)")
        }
    }

    private static func boundAddress(_ channel: Channel, requested: ListenAddress) -> ListenAddress {
        ListenAddress(host: requested.host, port: channel.localAddress?.port ?? requested.port)
    }
}

public struct ObservabilityServerError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// The open client connections, so shutdown can close idle keep-alive connections too.
private final class ConnectionSet: Sendable {
    private let channels = NIOLockedValueBox([ObjectIdentifier: Channel]())

    func insert(_ channel: Channel) {
        let id = ObjectIdentifier(channel)
        channels.withLockedValue { $0[id] = channel }
        channel.closeFuture.whenComplete { _ in
            _ = self.channels.withLockedValue { $0.removeValue(forKey: id) }
        }
    }

    func closeAll() async {
        let open = channels.withLockedValue { Array($0.values) }
        for channel in open {
            try? await channel.close()
        }
    }
}
