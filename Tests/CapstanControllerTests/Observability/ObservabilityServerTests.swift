import Metrics
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing
import TestSupport
@testable import CapstanController

@Suite("Observability server")
struct ObservabilityServerTests {
    static let loopback = ListenAddress(host: "127.0.0.1", port: 0)

    /// A bound server on free loopback ports, running until `body` returns.
    func withServer(metrics: ControllerMetrics = ControllerMetrics(), health: HealthChecks = HealthChecks(),
                    _ body: (ObservabilityServer) async throws -> Void) async throws {
        let server = try await ObservabilityServer.bind(metricsAddress: Self.loopback, healthAddress: Self.loopback,
                                                        metrics: metrics, health: health)
        let running = Task { try await server.run() }
        do {
            try await body(server)
        } catch {
            running.cancel()
            _ = await running.result
            throw error
        }
        running.cancel()
        try await running.value
    }

    func url(_ address: ListenAddress) -> URL {
        URL(string: "http://127.0.0.1:\(address.port)")!
    }

    @Test("/metrics over HTTP: content type, seconds, and promtool check metrics passes")
    func scrapePassesPromtool() async throws {
        let metrics = ControllerMetrics()
        metrics.setWorkflowCounts(["Running": 2])
        metrics.workflowFinished(phase: "Failed", duration: .seconds(95))
        metrics.attemptFinished(.failed)
        metrics.retryStarted(.user)
        metrics.podsCreated()
        metrics.reconcileFinished(duration: .milliseconds(12), failed: true)
        Counter(label: "capstan_kube_requests_total", dimensions: [("verb", "list"), ("code", "429")], factory: metrics.factory).increment()
        Timer(label: "capstan_kube_request_duration_seconds", dimensions: [("verb", "list")], factory: metrics.factory)
            .recordNanoseconds(40_000_000)
        Timer(label: "capstan_workqueue_wait_seconds", factory: metrics.factory).recordNanoseconds(1_500_000_000)

        try await withServer(metrics: metrics) { server in
            #expect(server.metricsAddress.port != 0 && server.metricsAddress.port != server.healthAddress.port)
            let response = try await RawHTTP.request(url(server.metricsAddress), "GET", "/metrics")
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
            let exposed = ExposedFamilies(response.body)
            #expect(Set(exposed.types.keys) == Set(MetricsCatalog.all.map(\.name)), "\(response.text)")
            #expect(exposed.samples[#"capstan_reconcile_duration_seconds_bucket{le="0.025"}"#] == 1)
            #expect(exposed.samples[#"capstan_reconcile_duration_seconds_bucket{le="0.01"}"#] == 0)
            #expect(exposed.samples[#"capstan_kube_request_duration_seconds_bucket{verb="list",le="0.05"}"#] == 1)
            #expect(exposed.samples[#"capstan_kube_request_duration_seconds_sum{verb="list"}"#] == 0.04)
            #expect(exposed.samples[#"capstan_workqueue_wait_seconds_sum"#] == 1.5)
            #expect(exposed.samples[#"capstan_workflow_duration_seconds_bucket{phase="Failed",le="120.0"}"#] == 1)
            #expect(exposed.samples[#"capstan_kube_requests_total{verb="list",code="429"}"#] == 1)

            let promtool = try DeployTool.promtool()
            let check = try await ProcessRunner.run(promtool, ["check", "metrics"], stdin: response.text)
            #expect(check.exitCode == 0, "promtool check metrics rejected /metrics:\n\(check)\n--- /metrics\n\(response.text)")
        }
    }

    @Test("/healthz is 200 while running; /readyz is 503 until ready, then 200")
    func healthAndReadiness() async throws {
        let health = HealthChecks()
        try await withServer(health: health) { server in
            let base = url(server.healthAddress)
            let live = try await RawHTTP.request(base, "GET", "/healthz")
            #expect(live.status == 200 && live.text == "ok\n")
            let before = try await RawHTTP.request(base, "GET", "/readyz")
            #expect(before.status == 503)
            #expect(before.text.contains("not ready: starting: informers have not synced yet"), "\(before)")
            health.setReady()
            let after = try await RawHTTP.request(base, "GET", "/readyz?verbose")
            #expect(after.status == 200 && after.text == "ok\n")
            health.setNotReady("shutting down")
            let draining = try await RawHTTP.request(base, "GET", "/readyz")
            #expect(draining.status == 503 && draining.text.contains("shutting down"))
        }
    }

    @Test("a failing liveness check makes /healthz 503 with its reason")
    func livenessCheck() async throws {
        let failing = ManagedFlag()
        let health = HealthChecks(liveness: { failing.value ? "worker 3 stuck for 20m" : nil })
        try await withServer(health: health) { server in
            #expect(try await RawHTTP.request(url(server.healthAddress), "GET", "/healthz").status == 200)
            failing.value = true
            let response = try await RawHTTP.request(url(server.healthAddress), "GET", "/healthz")
            #expect(response.status == 503 && response.text == "unhealthy: worker 3 stuck for 20m\n")
        }
    }

    @Test("each address serves only its own paths; other methods are refused")
    func routing() async throws {
        try await withServer { server in
            let onMetrics = try await RawHTTP.request(url(server.metricsAddress), "GET", "/healthz")
            #expect(onMetrics.status == 404 && onMetrics.text.contains("this address serves /metrics"), "\(onMetrics)")
            let onHealth = try await RawHTTP.request(url(server.healthAddress), "GET", "/metrics")
            #expect(onHealth.status == 404)
            let post = try await RawHTTP.request(url(server.metricsAddress), "POST", "/metrics", body: [])
            #expect(post.status == 405 && post.headers["allow"] == "GET, HEAD")
            let head = try await RawHTTP.request(url(server.healthAddress), "HEAD", "/healthz")
            #expect(head.status == 200 && head.body.isEmpty)
        }
    }

    @Test("one address for both flags serves all three paths on one port")
    func sharedAddress() {
        let routes = ObservabilityRoutes(metrics: ControllerMetrics(), health: HealthChecks())
        #expect(routes.respond(method: .GET, uri: "/metrics").status == .ok)
        #expect(routes.respond(method: .GET, uri: "/healthz").status == .ok)
        #expect(routes.respond(method: .GET, uri: "/readyz").status == .serviceUnavailable)
    }

    @Test("a taken port fails at bind time, naming the flag")
    func portInUse() async throws {
        try await withServer { server in
            let error = await #expect(throws: ObservabilityServerError.self) {
                _ = try await ObservabilityServer.bind(metricsAddress: Self.loopback, healthAddress: server.healthAddress,
                                                       metrics: ControllerMetrics(), health: HealthChecks())
            }
            #expect(error?.description.hasPrefix("cannot listen on 127.0.0.1:\(server.healthAddress.port) (--health-addr): ") == true,
                    "\(String(describing: error))")
        }
    }

    @Test("in a ServiceGroup, graceful shutdown stops the server and closes its ports")
    func gracefulShutdownInServiceGroup() async throws {
        let server = try await ObservabilityServer.bind(metricsAddress: Self.loopback, healthAddress: Self.loopback,
                                                        metrics: ControllerMetrics(), health: HealthChecks())
        let group = ServiceGroup(services: [server], logger: Logger(label: "test"))
        let running = Task { try await group.run() }
        #expect(try await RawHTTP.request(url(server.metricsAddress), "GET", "/metrics").status == 200)
        await group.triggerGracefulShutdown()
        try await running.value
        await #expect(throws: (any Error).self) {
            _ = try await RawHTTP.request(url(server.healthAddress), "GET", "/healthz")
        }
    }

    @Test("run() returns on cancellation and the ports are closed")
    func stopsOnCancellation() async throws {
        let server = try await ObservabilityServer.bind(metricsAddress: Self.loopback, healthAddress: Self.loopback,
                                                        metrics: ControllerMetrics(), health: HealthChecks())
        let running = Task { try await server.run() }
        #expect(try await RawHTTP.request(url(server.healthAddress), "GET", "/healthz").status == 200)
        running.cancel()
        try await running.value
        await #expect(throws: (any Error).self) {
            _ = try await RawHTTP.request(url(server.metricsAddress), "GET", "/metrics")
        }
    }
}

/// A flag a test flips while a server reads it from another thread.
final class ManagedFlag: Sendable {
    private let stored = Mutex(false)
    var value: Bool {
        get { stored.withLock { $0 } }
        set { stored.withLock { $0 = newValue } }
    }
}
