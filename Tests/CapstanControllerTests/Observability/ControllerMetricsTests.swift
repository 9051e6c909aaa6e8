import Metrics
import Foundation
import Testing
@testable import CapstanController

@Suite("Controller metrics")
struct ControllerMetricsTests {
    @Test("every SPEC §7 family is exported from the start, with HELP and the catalog's type")
    func familiesExistFromStart() throws {
        let metrics = ControllerMetrics()
        let families = ExposedFamilies(metrics.exposition())
        // The Kubernetes request counter's `code` label has no value before the first answer.
        let expected = Set(MetricsCatalog.all.map(\.name)).subtracting([MetricsCatalog.kubeRequests.name])
        #expect(Set(families.types.keys) == expected, "\(families.text)")
        for family in MetricsCatalog.all where expected.contains(family.name) {
            #expect(families.types[family.name] == family.kind.rawValue, "\(family.name)")
            #expect(families.help[family.name] == family.help, "\(family.name)")
        }
        #expect(families.text.contains(#"capstan_workflows{phase="Running"} 0"#))
        #expect(families.text.contains(#"capstan_node_attempts_total{result="retried"} 0"#))
        #expect(families.text.contains(#"capstan_cache_lookups_total{result="miss"} 0"#))
        #expect(families.text.contains("capstan_leader 0"))
        #expect(families.text.contains(#"capstan_reconcile_duration_seconds_count 0"#))
    }

    @Test("the catalog is exactly the list the alert rules, dashboard and SPEC §7 use")
    func catalogMatchesSpecNames() {
        #expect(Set(MetricsCatalog.all.map(\.name)) == Set(MetricNames.histograms + MetricNames.others))
        #expect(Set(MetricsCatalog.all.filter { $0.kind == .histogram }.map(\.name)) == Set(MetricNames.histograms))
    }

    @Test("counters end in _total exactly once and histograms in _seconds")
    func namingConventions() {
        for family in MetricsCatalog.all {
            switch family.kind {
            case .counter:
                #expect(family.name.hasSuffix("_total") && !family.name.hasSuffix("_total_total"), "\(family.name)")
            case .histogram:
                #expect(family.name.hasSuffix("_seconds"), "\(family.name)")
                #expect(!family.bucketSeconds.isEmpty && family.bucketSeconds == family.bucketSeconds.sorted())
            case .gauge:
                #expect(!family.name.hasSuffix("_total"), "\(family.name)")
            }
        }
    }

    @Test("typed recorders move the series the docs name")
    func typedRecorders() async throws {
        let metrics = ControllerMetrics()
        metrics.setWorkflowCounts(["Running": 3, "Succeeded": 7])
        metrics.setWorkflowCount(2, phase: "Pending")
        metrics.setWorkflowCounts(["Running": 1])  // phases left out drop to zero
        metrics.workflowFinished(phase: "Succeeded", duration: .seconds(3 * 3600))
        metrics.attemptFinished(.succeeded)
        metrics.attemptFinished(.retried)
        metrics.retryStarted(.system)
        metrics.podsCreated(2)
        metrics.cacheLookup(.hit)
        metrics.setLeader(true)
        metrics.reconcileFinished(duration: .milliseconds(30), failed: false)
        metrics.reconcileFinished(duration: .milliseconds(10), failed: true)
        let exposed = ExposedFamilies(metrics.exposition())
        let text = exposed.text
        let samples = exposed.samples
        #expect(samples[#"capstan_workflows{phase="Running"}"#] == 1)
        #expect(samples[#"capstan_workflows{phase="Succeeded"}"#] == 0)
        #expect(samples[#"capstan_workflows{phase="Pending"}"#] == 0)
        #expect(samples[#"capstan_workflow_duration_seconds_bucket{phase="Succeeded",le="7200.0"}"#] == 0, "\(text)")
        #expect(samples[#"capstan_workflow_duration_seconds_bucket{phase="Succeeded",le="14400.0"}"#] == 1)
        #expect(samples[#"capstan_workflow_duration_seconds_sum{phase="Succeeded"}"#] == 10800)
        #expect(samples[#"capstan_node_attempts_total{result="succeeded"}"#] == 1)
        #expect(samples[#"capstan_node_attempts_total{result="retried"}"#] == 1)
        #expect(samples[#"capstan_retries_total{kind="system"}"#] == 1)
        #expect(samples[#"capstan_retries_total{kind="user"}"#] == 0)
        #expect(samples["capstan_pods_created_total"] == 2)
        #expect(samples[#"capstan_cache_lookups_total{result="hit"}"#] == 1)
        #expect(samples["capstan_leader"] == 1)
        #expect(samples["capstan_reconcile_duration_seconds_count"] == 2)
        #expect(samples[#"capstan_reconcile_duration_seconds_bucket{le="0.05"}"#] == 2)
        #expect(samples[#"capstan_reconcile_duration_seconds_bucket{le="0.025"}"#] == 1)
        #expect(samples["capstan_reconcile_errors_total"] == 1)
    }

    @Test("swift-metrics timers from other modules are histograms in seconds under their own name")
    func swiftMetricsTimersInSeconds() throws {
        let metrics = ControllerMetrics()
        Timer(label: "capstan_kube_request_duration_seconds", dimensions: [("verb", "get")], factory: metrics.factory)
            .recordNanoseconds(250_000_000)
        Timer(label: "capstan_store_request_duration_seconds", dimensions: [("op", "put")], factory: metrics.factory)
            .recordNanoseconds(2_000_000_000)
        Counter(label: "capstan_kube_requests_total", dimensions: [("verb", "get"), ("code", "200")], factory: metrics.factory)
            .increment()
        Counter(label: "capstan_store_requests_total", dimensions: [("op", "put"), ("result", "ok")], factory: metrics.factory)
            .increment()
        Gauge(label: "capstan_workqueue_depth", factory: metrics.factory).record(4)
        let exposed = ExposedFamilies(metrics.exposition())
        let samples = exposed.samples
        #expect(samples[#"capstan_kube_request_duration_seconds_bucket{verb="get",le="0.1"}"#] == 0, "\(exposed.text)")
        #expect(samples[#"capstan_kube_request_duration_seconds_bucket{verb="get",le="0.25"}"#] == 1)
        #expect(samples[#"capstan_kube_request_duration_seconds_sum{verb="get"}"#] == 0.25)
        #expect(samples[#"capstan_store_request_duration_seconds_bucket{op="put",le="2.5"}"#] == 1)
        #expect(samples[#"capstan_store_request_duration_seconds_sum{op="put"}"#] == 2)
        #expect(samples[#"capstan_kube_requests_total{verb="get",code="200"}"#] == 1)
        #expect(samples[#"capstan_store_requests_total{op="put",result="ok"}"#] == 1)
        #expect(samples["capstan_workqueue_depth"] == 4)
        #expect(!exposed.text.contains("nanoseconds"))
        // One series per label set: the pre-registered zero series and the recorded one are the same.
        #expect(exposed.text.components(separatedBy: #"capstan_store_requests_total{op="put",result="ok"}"#).count == 2)
        #expect(Set(exposed.types.keys) == Set(MetricsCatalog.all.map(\.name)))
    }

    @Test("bootstrap installs the swift-metrics backend once and returns the same registry every time")
    func bootstrapIsIdempotent() {
        let first = ControllerMetrics.bootstrap()
        let second = ControllerMetrics.bootstrap()
        #expect(first.registry === second.registry)
        Counter(label: "capstan_pods_created_total").increment(by: 5)
        #expect(ExposedFamilies(first.exposition()).samples["capstan_pods_created_total"] ?? 0 >= 5)
    }
}

/// A parsed `/metrics` body: TYPE and HELP per family, and each sample's value by its series.
struct ExposedFamilies {
    let text: String
    var types: [String: String] = [:]
    var help: [String: String] = [:]
    var samples: [String: Double] = [:]

    init(_ bytes: [UInt8]) {
        text = String(decoding: bytes, as: UTF8.self)
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 3)
            if line.hasPrefix("# TYPE "), parts.count == 4 {
                types[String(parts[2])] = String(parts[3])
            } else if line.hasPrefix("# HELP "), parts.count == 4 {
                help[String(parts[2])] = String(parts[3])
            } else if !line.hasPrefix("#"), let space = line.lastIndex(of: " ") {
                samples[String(line[..<space])] = Double(line[line.index(after: space)...])
            }
        }
    }
}
