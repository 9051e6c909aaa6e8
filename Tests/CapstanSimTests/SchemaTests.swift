import CapstanAPI
import Foundation
import Testing
import TestSupport

/// Custom resources are pruned, defaulted and validated against their CRD schema, as on a real cluster.
@Suite struct SchemaTests {
    private let workflows = "/apis/capstan.dev/v1alpha1/namespaces/default/workflows"

    private func start() async throws -> SimProcess {
        let sim = try await SimProcess.start()
        let applied = try await sim.kubectl("apply", "-f", "-", stdin: Fixtures.schemaCRD)
        try #require(applied.exitCode == 0, "\(applied)")
        return sim
    }

    @Test func unknownFieldsArePrunedOrRefusedWhenStrict() async throws {
        let sim = try await start()
        var workflow = Fixtures.workflowJSON("p1")
        workflow["spec"]?["bogus"] = 1
        let created = try await RawHTTP.request(sim.url, "POST", workflows, json: workflow)
        #expect(created.status == 201, "\(created)")
        #expect(created.json?["spec"]?["bogus"] == nil)
        #expect(created.json?["spec"]?["failurePolicy"] == "FailFast", "schema defaults are applied")

        workflow["metadata"]?["name"] = "p2"
        let strict = try await RawHTTP.request(sim.url, "POST", workflows + "?fieldValidation=Strict", json: workflow)
        #expect(strict.status == 400, "\(strict)")
        #expect(strict.json?["message"]?.stringValue?.contains("unknown field \"spec.bogus\"") == true)

        let kubectl = try await sim.kubectl("apply", "-f", "-", stdin: Fixtures.workflow("p3") + "  bogus: true\n")
        #expect(kubectl.exitCode != 0)
        #expect(kubectl.stderr.contains("unknown field \"spec.bogus\""), "\(kubectl)")

        let status = try await RawHTTP.request(sim.url, "PATCH", workflows + "/p1/status",
                                               json: ["status": ["phase": "Running", "undeclared": 1]],
                                               headers: ["Content-Type": "application/merge-patch+json"])
        #expect(status.json?["status"] == ["phase": "Running"], "status fields outside the schema are dropped: \(status)")
    }

    @Test func invalidValuesAreUnprocessable() async throws {
        let sim = try await start()
        var workflow = Fixtures.workflowJSON("bad")
        workflow["spec"]?["parallelism"] = "ten"
        workflow["spec"]?["failurePolicy"] = "Sometimes"
        let response = try await RawHTTP.request(sim.url, "POST", workflows, json: workflow)
        #expect(response.status == 422, "\(response)")
        #expect(response.json?["reason"] == "Invalid")
        let fields = (response.json?["details"]?["causes"]?.arrayValue ?? []).compactMap { $0["field"]?.stringValue }
        #expect(Set(fields) == ["spec.parallelism", "spec.failurePolicy"])

        workflow["spec"] = ["parallelism": 0]
        let missing = try await RawHTTP.request(sim.url, "POST", workflows, json: workflow)
        #expect(missing.status == 422)
        let message = missing.json?["message"]?.stringValue ?? ""
        #expect(message.contains("spec.nodes: Required value") && message.contains("greater than or equal to 1"), "\(message)")
    }
}
