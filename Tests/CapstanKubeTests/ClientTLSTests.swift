import CapstanAPI
import CapstanKube
import Foundation
import Prometheus
import TestSupport
import Testing

/// TLS, authentication and metrics against a local test server; `capstan sim` speaks plain HTTP.
@Suite struct ClientTLSTests {
    private static let namespace: JSONValue = ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "default"]]

    private func config(port: Int, ca: String? = TestCertificates.caCertificate, clientCertificate: Bool = true,
                        insecure: Bool = false) -> KubeConfig {
        KubeConfig(server: URL(string: "https://127.0.0.1:\(port)")!,
                   certificateAuthorityPEM: ca.map { Array($0.utf8) },
                   clientCertificatePEM: clientCertificate ? Array(TestCertificates.clientCertificate.utf8) : nil,
                   clientKeyPEM: clientCertificate ? Array(TestCertificates.clientKey.utf8) : nil,
                   insecureSkipTLSVerify: insecure,
                   credentials: .bearer(TokenSource(token: "secret")))
    }

    private func withClient<T>(_ config: KubeConfig, options: KubeClientOptions = KubeClientOptions(qps: 0, retry: .none),
                               _ body: (KubeClient) async throws -> T) async throws -> T {
        let client = try KubeClient(config: config, options: options)
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    @Test func mutualTLSWithTheClusterCAAndAClientCertificate() async throws {
        let server = try await TestAPIServer(tls: true, requireClientCertificate: true) { _ in (.ok, Self.namespace) }
        defer { Task { try? await server.stop() } }
        // Through a kubeconfig with inline data, as EKS and kind write them.
        let folder = try TemporaryFolder()
        let path = try folder.write("config", """
            current-context: tls
            clusters: [{name: c, cluster: {server: "https://127.0.0.1:\(server.port)", certificate-authority-data: \(base64(TestCertificates.caCertificate))}}]
            contexts: [{name: tls, context: {cluster: c, user: u}}]
            users: [{name: u, user: {client-certificate-data: \(base64(TestCertificates.clientCertificate)), client-key-data: \(base64(TestCertificates.clientKey)), token: secret}}]
            """)
        let object = try await withClient(try KubeConfig.load(kubeconfigPath: path, environment: [:])) { client in
            try await client.get(.namespaces, namespace: nil, name: "default")
        }
        #expect(object.kubeMeta.name == "default")
        #expect(server.requests.map(\.uri) == ["/api/v1/namespaces/default"])
        #expect(server.requests.first?.authorization == "Bearer secret")
    }

    @Test func missingClientCertificateFailsTheHandshake() async throws {
        let server = try await TestAPIServer(tls: true, requireClientCertificate: true) { _ in (.ok, Self.namespace) }
        defer { Task { try? await server.stop() } }
        let error = await #expect(throws: KubeError.self) {
            try await withClient(config(port: server.port, clientCertificate: false)) { client in
                try await client.get(.namespaces, namespace: nil, name: "default")
            }
        }
        #expect(error?.isTransport == true, "\(String(describing: error))")
        #expect(server.requests.isEmpty)
    }

    @Test func serverCertificateMustChainToTheConfiguredCA() async throws {
        let server = try await TestAPIServer(tls: true) { _ in (.ok, Self.namespace) }
        defer { Task { try? await server.stop() } }
        // The connection pool retries failed handshakes until the connect timeout; keep it short.
        let options = KubeClientOptions(qps: 0, retry: .none, connectTimeout: .seconds(1))
        let error = await #expect(throws: KubeError.self) {
            try await withClient(config(port: server.port, ca: TestCertificates.unrelatedCA), options: options) { client in
                try await client.get(.namespaces, namespace: nil, name: "default")
            }
        }
        #expect(error?.isTransport == true, "\(String(describing: error))")
        #expect(error?.message.contains("CERTIFICATE_VERIFY_FAILED") == true, "\(String(describing: error))")
        // insecure-skip-tls-verify accepts it.
        let object = try await withClient(config(port: server.port, ca: TestCertificates.unrelatedCA, insecure: true)) { client in
            try await client.get(.namespaces, namespace: nil, name: "default")
        }
        #expect(object.kubeMeta.name == "default")
    }

    @Test func rotatedTokenIsReadAgainAfter401() async throws {
        let accepted = SharedMutex("first")
        let server = try await TestAPIServer(tls: false) { request in
            let token = accepted.withLock { $0 }
            if request.authorization == "Bearer \(token)" { return (.ok, Self.namespace) }
            return (.unauthorized, ["kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Unauthorized", "code": 401, "message": "Unauthorized"])
        }
        defer { Task { try? await server.stop() } }
        let folder = try TemporaryFolder()
        let tokenFile = try folder.write("token", "first")
        let config = KubeConfig(server: URL(string: "http://127.0.0.1:\(server.port)")!, credentials: .bearer(TokenSource(file: tokenFile)))
        try await withClient(config) { client in
            _ = try await client.get(.namespaces, namespace: nil, name: "default")
            // The kubelet rotates the projected token; the server stops accepting the old one.
            try folder.write("token", "second")
            accepted.withLock { $0 = "second" }
            _ = try await client.get(.namespaces, namespace: nil, name: "default")
        }
        #expect(server.requests.map { $0.authorization ?? "" } == ["Bearer first", "Bearer first", "Bearer second"])

        // A token that stays wrong is reported, not retried forever.
        accepted.withLock { $0 = "third" }
        let error = await #expect(throws: KubeError.self) {
            try await withClient(config) { client in try await client.get(.namespaces, namespace: nil, name: "default") }
        }
        #expect(error?.isUnauthorized == true)
    }

    @Test func requestMetricsAreExportedInSeconds() async throws {
        let server = try await TestAPIServer(tls: false) { request in
            if request.uri.hasSuffix("/missing") {
                return (.notFound, ["kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404, "message": "not found"])
            }
            return (.ok, Self.namespace)
        }
        defer { Task { try? await server.stop() } }
        let registry = PrometheusCollectorRegistry()
        let options = KubeClientOptions(qps: 0, retry: .none, metricsFactory: PrometheusMetricsFactory(registry: registry))
        let config = KubeConfig(server: URL(string: "http://127.0.0.1:\(server.port)")!)
        try await withClient(config, options: options) { client in
            _ = try await client.get(.namespaces, namespace: nil, name: "default")
            _ = try await client.get(.namespaces, namespace: nil, name: "default")
            _ = try await client.getIfPresent(.namespaces, namespace: nil, name: "missing")
            _ = try await client.list(.namespaces, namespace: nil)
        }
        let text = registry.emitToString()
        #expect(text.contains(#"capstan_kube_requests_total{verb="get",code="200"} 2"#), "\(text)")
        #expect(text.contains(#"capstan_kube_requests_total{verb="get",code="404"} 1"#))
        #expect(text.contains(#"capstan_kube_requests_total{verb="list",code="200"} 1"#))
        #expect(text.contains(#"capstan_kube_request_duration_seconds_count{verb="get"} 3"#))
        // Three loopback requests take well under a minute even on a loaded machine; the same
        // sum recorded in nanoseconds or microseconds would be at least in the hundreds.
        let sumLine = try #require(text.split(separator: "\n").first { $0.hasPrefix(#"capstan_kube_request_duration_seconds_sum{verb="get"}"#) })
        let sum = try #require(Double(sumLine.split(separator: " ").last!))
        #expect(sum > 0 && sum < 60, "\(sumLine)")
    }
}
