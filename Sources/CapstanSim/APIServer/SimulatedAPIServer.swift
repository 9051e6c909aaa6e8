import CapstanAPI
import CapstanKube
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The API-server half of `capstan sim`: a Kubernetes API server on loopback that keeps
/// everything in memory. It knows nothing of nodes or kubelets; those talk to it like any
/// client, over HTTP or, in this process, through `inProcess`. `capstan dev` embeds it
/// through this type.
public final class SimulatedAPIServer: Sendable {
    public struct Configuration: Sendable {
        public var host: String
        /// 0 picks a free port.
        public var port: Int
        /// Share of API requests answered with 500 or 429, and the rate of watch cuts per second.
        public var faultRate: Double
        /// Writes one JSON line per request to this file.
        public var auditLogPath: String?
        /// Events kept per resource for watches resuming from a resourceVersion; older ones get 410.
        public var watchHistorySize: Int
        /// How often watches that allow bookmarks receive one.
        public var bookmarkInterval: TimeAmount
        /// Pods bound to a node wait for their kubelet before being removed (set when kubelets run).
        public var gracefulPodDeletion: Bool
        /// A watch whose client does not keep up is cut once this much is queued for it.
        public var maximumWatchBacklogBytes: Int
        /// Threads serving HTTP. One by default: every write takes the store's one lock, as
        /// etcd applies one transaction at a time, so a second thread mostly waits for it and
        /// hands the lock back and forth; measured, one thread served the same load with about
        /// a tenth less CPU (docs/sim.md).
        public var eventLoopThreads: Int
        public static let defaultEventLoopThreads = 1
        /// With process kubelets, where they write each pod's log (`NAMESPACE/POD.log`), which
        /// `pods/NAME/log` then serves; nil serves the `sim.capstan.dev/log` annotation.
        public var podLogDirectory: String?
        /// Answer as a kube-apiserver with API Priority and Fairness (on by default since
        /// 1.20): every answer names the FlowSchema and priority level that classified it.
        public var priorityAndFairness = true

        public init(host: String = "127.0.0.1", port: Int = 0, faultRate: Double = 0, auditLogPath: String? = nil,
                    watchHistorySize: Int = 20_000, bookmarkInterval: TimeAmount = .seconds(10),
                    gracefulPodDeletion: Bool = false, maximumWatchBacklogBytes: Int = 512 * 1024 * 1024,
                    eventLoopThreads: Int = Configuration.defaultEventLoopThreads, podLogDirectory: String? = nil) {
            self.host = host
            self.port = port
            self.faultRate = faultRate
            self.auditLogPath = auditLogPath
            self.watchHistorySize = watchHistorySize
            self.bookmarkInterval = bookmarkInterval
            self.gracefulPodDeletion = gracefulPodDeletion
            self.maximumWatchBacklogBytes = maximumWatchBacklogBytes
            self.eventLoopThreads = eventLoopThreads
            self.podLogDirectory = podLogDirectory
        }
    }

    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    private struct Running {
        var channel: any Channel
        var url: URL
    }

    public let configuration: Configuration
    private let group: MultiThreadedEventLoopGroup
    private let backgroundGroup: MultiThreadedEventLoopGroup
    private let services: ServerServices
    private let running = Mutex<Running?>(nil)
    private let boundAddress = AddressBox()

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, configuration.eventLoopThreads))
        backgroundGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let store = SimObjectStore(historyCapacity: configuration.watchHistorySize)
        let registry = ResourceRegistry()
        let operations = ResourceOperations(store: store, registry: registry, background: backgroundGroup.next(),
                                            gracefulPodDeletion: configuration.gracefulPodDeletion)
        let address = boundAddress
        let router = APIRouter(operations: operations,
                               discovery: Discovery(registry: registry, serverAddress: { address.value.withLock { $0 } }),
                               openAPI: OpenAPIDocuments(registry: registry),
                               podLogs: PodLogEndpoint(logDirectory: configuration.podLogDirectory))
        services = ServerServices(configuration: configuration, store: store, operations: operations, router: router,
                                  faults: FaultInjector(rate: configuration.faultRate),
                                  audit: AuditLog(path: configuration.auditLogPath))
        Self.createInitialNamespaces(operations)
    }

    /// Binds the listening socket and returns the server's URL (`http://127.0.0.1:PORT`).
    public func start() async throws -> URL {
        let services = self.services
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(APIServerHandler(services: services))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        } catch {
            throw StartError(description: "capstan sim: cannot listen on \(configuration.host):\(configuration.port): \(error)")
        }
        guard let port = channel.localAddress?.port else {
            throw StartError(description: "capstan sim: the listening socket has no port")
        }
        let hostPort = "\(configuration.host):\(port)"
        boundAddress.value.withLock { $0 = hostPort }
        let url = URL(string: "http://\(hostPort)")!
        running.withLock { $0 = Running(channel: channel, url: url) }
        return url
    }

    /// The server as clients in this process reach it without HTTP (`KubeClient(inProcess:)`),
    /// as `capstan sim` connects its own kubelets: requests are routed, faulted and audited
    /// as those from a connection are. Usable before `start()`, refused after `shutdown()`.
    public var inProcess: any InProcessAPIServer {
        InProcessEndpoint(services: services, eventLoop: group.next())
    }

    /// How many watches of a core-group resource (`pods`) are open, over HTTP or in process.
    func openWatches(of resource: String) -> Int {
        services.store.watcherCount(GroupResource(group: "", resource: resource))
    }

    /// The URL once started.
    public var url: URL? { running.withLock { $0?.url } }

    /// Closes the listening socket and every connection, refuses clients in this process and
    /// cuts their streams, then stops the event loops.
    public func shutdown() async throws {
        let channel = running.withLock { state -> (any Channel)? in
            defer { state = nil }
            return state?.channel
        }
        if let channel { try? await channel.close() }
        await services.inProcessClients.close()
        try await group.shutdownGracefully()
        try await backgroundGroup.shutdownGracefully()
    }

    /// Namespaces every cluster starts with, each with its `default` ServiceAccount.
    private static func createInitialNamespaces(_ operations: ResourceOperations) {
        guard let type = operations.registry.lookup(GroupVersion(group: "", version: "v1"), plural: "namespaces") else { return }
        for name in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            let namespace: JSONValue = ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]]
            _ = try? operations.create(ResourceOperations.Scope(type: type, namespace: ""), body: namespace)
        }
    }
}

/// The bound address, shared with discovery (which reports it) before the port is known.
private final class AddressBox: Sendable {
    let value = Mutex("127.0.0.1:0")
}

/// What every connection handler shares.
struct ServerServices: Sendable {
    var configuration: SimulatedAPIServer.Configuration
    var store: SimObjectStore
    var operations: ResourceOperations
    var router: APIRouter
    var faults: FaultInjector
    var audit: AuditLog?
    /// Clients in this process (`inProcess`): refused, and their streams cut, when the server stops.
    var inProcessClients = InProcessClients()
}
