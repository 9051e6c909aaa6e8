import CapstanAPI
import Foundation
import Testing

@Suite("Alert rules")
struct AlertRulesTests {
    static let rulesFile = RepositoryLayout.path("config/prometheus/rules.yaml")

    @Test("promtool check rules accepts config/prometheus/rules.yaml")
    func plainRulesFile() async throws {
        let output = try await runProcess(try DeployTool.promtool(), ["check", "rules", Self.rulesFile])
        #expect(output.status == 0, "\(output.report)")
        #expect(output.stdout.contains("SUCCESS"), "\(output.report)")
    }

    @Test("the alerts fire, and stay quiet, on the series in config/prometheus/rules_test.yaml")
    func ruleUnitTests() async throws {
        let output = try await runProcess(
            try DeployTool.promtool(), ["test", "rules", RepositoryLayout.path("config/prometheus/rules_test.yaml")])
        #expect(output.status == 0, "\(output.report)")
    }

    @Test("the chart's PrometheusRule passes promtool and carries the same rules plus the extra ones")
    func renderedPrometheusRule() async throws {
        let values = try Chart.valuesFile(Chart.everythingValues)
        defer { try? FileManager.default.removeItem(at: values) }
        let (manifests, output) = try await Chart.render(["--values", values.path])
        try #require(output.status == 0, "\(output.report)")
        let rule = try #require(manifests.first(kind: "PrometheusRule"))
        let groups = try #require(rule.value(at: "spec", "groups")?.arrayValue)
        try await expectPromtoolAccepts(groups: groups)

        let plain = try #require(try ManifestDocuments(file: Self.rulesFile).objects.first?["groups"]?.arrayValue)
        let differences = differingRules(Array(groups.prefix(plain.count)), plain)
        #expect(differences.isEmpty, "the chart renders config/prometheus/rules.yaml as is; differing: \(differences)")
        #expect(groups.last?["name"]?.stringValue == "capstan.extra")
        #expect(groups.last?["rules"]?[0]?["alert"]?.stringValue == "CapstanNoWorkflowsSucceeded")
    }

    @Test("the kustomize PrometheusRule and the chart's rules file hold exactly config/prometheus/rules.yaml")
    func copiesAgree() async throws {
        let plain = try #require(try ManifestDocuments(file: Self.rulesFile).objects.first?["groups"])
        let chartFile = try ManifestDocuments(file: RepositoryLayout.path("charts/capstan/files/alerts.rules.yaml"))
        let chartDifferences = differingRules(chartFile.objects.first?["groups"]?.arrayValue ?? [], plain.arrayValue ?? [])
        #expect(chartDifferences.isEmpty, "charts/capstan/files/alerts.rules.yaml differs in: \(chartDifferences)")

        let rendered = try await runProcess(try DeployTool.kubectl(), ["kustomize", RepositoryLayout.path("config/prometheus")])
        try #require(rendered.status == 0, "\(rendered.report)")
        let manifests = try ManifestDocuments(yaml: rendered.stdout)
        let rule = try #require(manifests.first(kind: "PrometheusRule"))
        #expect(rule.value(at: "metadata", "namespace")?.stringValue == "capstan-system")
        let groups = try #require(rule.value(at: "spec", "groups")?.arrayValue)
        let ruleDifferences = differingRules(groups, plain.arrayValue ?? [])
        #expect(ruleDifferences.isEmpty, "config/prometheus/prometheus_rule.yaml differs in: \(ruleDifferences)")
        try await expectPromtoolAccepts(groups: groups)
        #expect(manifests.first(kind: "ServiceMonitor")?.value(at: "spec", "endpoints")?[0]?["port"]?.stringValue
            == "metrics")
    }

    @Test("the alerts cover failing workflows, queue backlog, reconcile errors and a missing leader")
    func coverage() throws {
        let rules = try ManifestDocuments(file: Self.rulesFile).objects.first?["groups"]?.arrayValue?
            .flatMap { $0["rules"]?.arrayValue ?? [] } ?? []
        func expression(_ alert: String) -> String? {
            rules.first { $0["alert"]?.stringValue == alert }?["expr"]?.stringValue
        }
        #expect(expression("CapstanWorkflowFailureRatioHigh")?.contains("phase=\"Failed\"") == true)
        #expect(expression("CapstanWorkqueueBacklog")?.contains("capstan_workqueue_depth") == true)
        #expect(expression("CapstanReconcileErrors")?.contains("rate(capstan_reconcile_errors_total[5m])") == true)
        #expect(expression("CapstanNoLeader")?.contains("(capstan_leader) == 0") == true)
        for rule in rules {
            let severity = rule.value(at: "labels", "severity")?.stringValue ?? ""
            #expect(["info", "warning", "critical"].contains(severity), "\(rule["alert"]?.stringValue ?? "?") has a severity")
            #expect(rule.value(at: "annotations", "summary") != nil && rule.value(at: "annotations", "description") != nil)
        }
        let names = Set(rules.flatMap { MetricNames.referenced(in: $0["expr"]?.stringValue ?? "") })
        #expect(names.subtracting(MetricNames.exposed).isEmpty,
                "alerts use only metrics the controller exposes (SPEC §7): \(names.subtracting(MetricNames.exposed))")
    }
}

/// The groups and alerts that differ between two lists of rule groups, by name, so that a
/// failed comparison says which alert to look at instead of printing both rule sets.
func differingRules(_ left: [JSONValue], _ right: [JSONValue]) -> [String] {
    func index(_ groups: [JSONValue]) -> [String: JSONValue] {
        var entries: [String: JSONValue] = [:]
        for group in groups {
            let groupName = group["name"]?.stringValue ?? "?"
            entries["group \(groupName)"] = .array(group["rules"]?.arrayValue?.compactMap(\.["alert"]) ?? [])
            for rule in group["rules"]?.arrayValue ?? [] {
                entries["\(groupName)/\(rule["alert"]?.stringValue ?? rule["record"]?.stringValue ?? "?")"] = rule
            }
        }
        return entries
    }
    let (a, b) = (index(left), index(right))
    return Set(a.keys).union(b.keys).filter { a[$0] != b[$0] }.sorted()
}

/// Writes rule groups to a rules file (JSON is YAML) and runs `promtool check rules` on it.
func expectPromtoolAccepts(groups: [JSONValue], sourceLocation: SourceLocation = #_sourceLocation) async throws {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-rules-\(UUID().uuidString).yaml")
    try JSONValue.object(["groups": .array(groups)]).prettyPrinted().write(to: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: file) }
    let output = try await runProcess(try DeployTool.promtool(), ["check", "rules", file.path])
    #expect(output.status == 0, "\(output.report)", sourceLocation: sourceLocation)
}

/// The metric names SPEC §7 fixes, and the series names Prometheus derives from them.
enum MetricNames {
    static let histograms = [
        "capstan_workflow_duration_seconds", "capstan_reconcile_duration_seconds", "capstan_workqueue_wait_seconds",
        "capstan_kube_request_duration_seconds", "capstan_store_request_duration_seconds",
        // SPEC §15: map.workers' item dispatch latency.
        "capstan_worker_handoff_seconds",
    ]
    static let others = [
        "capstan_workflows", "capstan_node_attempts_total", "capstan_retries_total", "capstan_pods_created_total",
        "capstan_cache_lookups_total", "capstan_reconcile_errors_total", "capstan_workqueue_depth",
        "capstan_kube_requests_total", "capstan_store_requests_total", "capstan_leader",
        // SPEC §15: the client-side rate limit made visible.
        "capstan_kube_client_rate_limit_wait_seconds_total", "capstan_kube_client_qps_limit",
    ]
    static let exposed: Set<String> = Set(others + histograms.flatMap { [$0 + "_bucket", $0 + "_count", $0 + "_sum"] })

    /// Every `capstan_...` name in a PromQL expression.
    static func referenced(in expression: String) -> [String] {
        var names: [String] = []
        var current = ""
        for character in expression + " " {
            if character.isLetter || character.isNumber || character == "_" || character == ":" {
                current.append(character)
            } else {
                if current.hasPrefix("capstan_") { names.append(current) }
                current = ""
            }
        }
        return names
    }
}
