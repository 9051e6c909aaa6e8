import CapstanAPI
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOSSL

/// The Kubernetes API client: one `HTTPClient` (connection pool, TLS with the cluster's CA
/// and an optional client certificate), a shared rate limit, retries and request metrics.
/// Untyped: objects are `JSONValue`s addressed by `ResourceType`. `init(inProcess:)` makes one
/// that reaches an API server in this process without HTTP (`capstan sim`'s own kubelets).
///
/// Call `shutdown()` before the process exits.
public final class KubeClient: Sendable {
    public let config: KubeConfig
    public let options: KubeClientOptions
    let transport: Transport
    let limiter: RequestRateLimiter
    let metrics: KubeRequestMetrics
    let logger: Logger

    public convenience init(config: KubeConfig, options: KubeClientOptions = KubeClientOptions(),
                            logger: Logger = Logger(label: "capstan.kube"), time: any TimeSource = SystemTimeSource()) throws {
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: config.usesTLS ? try Self.tlsConfiguration(config) : nil,
            redirectConfiguration: .disallow,
            // No read timeout: a quiet watch is healthy. The request deadline bounds the wait for a response head.
            timeout: .init(connect: TimeAmount(options.connectTimeout), read: nil),
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: options.maxConnections),
            decompression: .disabled
        )
        configuration.httpVersion = .automatic
        // Capstan exports no traces. Left as it is, the client takes the process-wide no-op
        // tracer and still builds every request's span attributes: 2.6% of a busy
        // controller's CPU.
        configuration.tracing.tracer = nil
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration,
                              backgroundActivityLogger: logger)
        self.init(config: config, transport: .http(http), options: options, logger: logger, time: time)
    }

    /// A client of `server`, an API server in this process: requests are handed to it as
    /// they would go on the wire, with the same rate limit, retries and metrics.
    public convenience init(inProcess server: any InProcessAPIServer, options: KubeClientOptions = KubeClientOptions(),
                            logger: Logger = Logger(label: "capstan.kube"), time: any TimeSource = SystemTimeSource()) {
        self.init(config: KubeConfig(server: URL(string: "http://in-process")!, origin: "an API server in this process"),
                  transport: .inProcess(server), options: options, logger: logger, time: time)
    }

    private init(config: KubeConfig, transport: Transport, options: KubeClientOptions, logger: Logger, time: any TimeSource) {
        self.config = config
        self.transport = transport
        self.options = options
        self.logger = logger
        limiter = RequestRateLimiter(qps: options.qps, burst: options.burst, time: time, metricsFactory: options.metricsFactory)
        metrics = KubeRequestMetrics(factory: options.metricsFactory)
    }

    enum Transport: Sendable {
        case http(HTTPClient)
        case inProcess(any InProcessAPIServer)
    }

    /// The longest a request waited for the client-side rate limit (`qps`) in the last 5 to
    /// 10 seconds; zero when requests do not queue or the limit is off.
    public var rateLimitRecentWait: Duration { limiter.recentWait }

    /// The client-side limit in requests per second; nil when there is none (`qps` 0, or
    /// turned off because the API server has API Priority and Fairness).
    public var rateLimit: Double? { limiter.isLimiting ? options.qps : nil }

    /// Closes every connection; open watches end with a transport error. A client in process
    /// holds none: its watches end when their readers stop or when that server stops.
    public func shutdown() async throws {
        if case .http(let http) = transport { try await http.shutdown() }
    }

    static func tlsConfiguration(_ config: KubeConfig) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let ca = config.certificateAuthorityPEM {
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(ca))
            } catch {
                throw KubeConfigError(location: config.origin, reason: "the certificate authority is not valid PEM: \(error)")
            }
        }
        if let cert = config.clientCertificatePEM, let key = config.clientKeyPEM {
            do {
                tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(cert).map { .certificate($0) }
            } catch {
                throw KubeConfigError(location: config.origin, reason: "the client certificate is not valid PEM: \(error)")
            }
            do {
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: key, format: .pem))
            } catch {
                throw KubeConfigError(location: config.origin, reason: "the client key is not a valid PEM private key: \(error)")
            }
        }
        if config.insecureSkipTLSVerify {
            tls.certificateVerification = .none
        } else if config.tlsServerName != nil {
            // AsyncHTTPClient cannot verify against a name other than the URL's host; the
            // chain is still checked against the configured CA.
            tls.certificateVerification = .noHostnameVerification
        }
        return tls
    }
}
