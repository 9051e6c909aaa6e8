import CapstanAPI
import Foundation
import Testing

@Suite("Grafana dashboard")
struct GrafanaDashboardTests {
    static func dashboard() throws -> JSONValue {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: RepositoryLayout.path("docs/grafana-dashboard.json")))
        return try JSONValue.parse(bytes)
    }

    /// Every (panel title, PromQL expression) in the dashboard.
    static func queries(_ dashboard: JSONValue) -> [(panel: String, expr: String)] {
        (dashboard["panels"]?.arrayValue ?? []).flatMap { panel in
            (panel["targets"]?.arrayValue ?? []).compactMap { target in
                target["expr"]?.stringValue.map { (panel["title"]?.stringValue ?? "?", $0) }
            }
        }
    }

    @Test("the dashboard has the panels docs/operations.md promises")
    func panels() throws {
        let titles = (try Self.dashboard()["panels"]?.arrayValue ?? []).compactMap { $0["title"]?.stringValue }
        for required in [
            "Workflows by phase", "Workflow duration", "Pods created per second", "Retries by kind",
            "Reconcile duration", "Work queue depth", "Kubernetes API requests by code", "Store requests",
        ] {
            #expect(titles.contains(required), "panel \(required) in \(titles)")
        }
        let positions = (try Self.dashboard()["panels"]?.arrayValue ?? []).compactMap { $0["gridPos"] }
        #expect(Set(positions).count == positions.count, "no two panels at the same place")
    }

    @Test("every query uses only SPEC §7 metrics and is valid PromQL (promtool)")
    func queriesAreValid() async throws {
        let queries = Self.queries(try Self.dashboard())
        try #require(!queries.isEmpty)
        var rules: [JSONValue] = []
        for (index, query) in queries.enumerated() {
            let unknown = Set(MetricNames.referenced(in: query.expr)).subtracting(MetricNames.exposed)
            #expect(unknown.isEmpty, "panel \(query.panel) uses \(unknown)")
            // Grafana's variables, replaced by what they stand for, give plain PromQL.
            let promQL = query.expr.replacingOccurrences(of: "$__rate_interval", with: "5m")
                .replacingOccurrences(of: "$job", with: ".*")
            rules.append(["record": .string("capstan:dashboard_query_\(index)"), "expr": .string(promQL)])
        }
        try await expectPromtoolAccepts(groups: [["name": "grafana-dashboard", "rules": .array(rules)]])
    }
}
