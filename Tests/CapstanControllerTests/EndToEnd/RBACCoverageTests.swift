import CapstanAPI
import Foundation
import Testing
import TestSupport
import Yams

/// Everything `capstan run` asked of the API server during a workflow with retries, pod GC,
/// events and leader election, and during a CronWorkflow's first run, is allowed by the RBAC
/// rules in config/rbac — checked against the requests the simulator logged.
@Suite struct RBACCoverageTests {
    struct Rule: Hashable { var group: String; var resource: String; var verb: String }

    static func allowedRules() throws -> Set<Rule> {
        var rules: Set<Rule> = []
        for file in ["config/rbac/role.yaml", "config/rbac/leader_election_role.yaml"] {
            let text = try String(contentsOf: CapstanBinary.packageRoot.appendingPathComponent(file), encoding: .utf8)
            for document in try YAMLDocuments.load(text) {
                for rule in document["rules"]?.arrayValue ?? [] {
                    for group in rule["apiGroups"]?.arrayValue ?? [] {
                        for resource in rule["resources"]?.arrayValue ?? [] {
                            for verb in rule["verbs"]?.arrayValue ?? [] {
                                rules.insert(Rule(group: group.stringValue ?? "", resource: resource.stringValue ?? "", verb: verb.stringValue ?? ""))
                            }
                        }
                    }
                }
            }
        }
        return rules
    }

    @Test func theControllerOnlyUsesWhatItsRolesAllow() async throws {
        let sim = try await SimProcess.start(["--nodes", "1"])
        #expect(try await sim.applyCRDs().exitCode == 0)
        let controller = try RunningController.start(kubeconfig: sim.kubeconfigPath, extraArguments: ["--leader-elect"])
        try await sim.submit("rbac", namespace: "default", spec: """
            podGC: OnCompletion
            defaults: {image: busybox}
            nodes:
              - {name: flaky, retries: 1, retryBackoff: {initial: 1s}, outputs: [x], podMetadata: {annotations: {sim.capstan.dev/fail-attempts: "1", sim.capstan.dev/outputs: '{"x": 1}'}}}
              - {name: after, inputs: {x: "{{ nodes.flaky.outputs.x }}"}}
            """)
        #expect(try await sim.waitForWorkflow("rbac", namespace: "default").phase == .succeeded)
        // A CronWorkflow's run: a Workflow created, the CronWorkflow's status patched.
        try await sim.apply(kind: "CronWorkflow", "rbac-cron", namespace: "default", spec: """
            schedule: "* * * * *"
            workflowSpec: {defaults: {image: busybox}, nodes: [{name: a}]}
            """)
        let scheduled = try await eventually(timeout: .seconds(60), interval: .milliseconds(250)) {
            try await sim.object("cronworkflow", "rbac-cron", namespace: "default")["status"]?["lastScheduleTime"] != nil
        }
        #expect(scheduled)
        #expect(try await controller.stop() == 0)

        let allowed = try Self.allowedRules()
        var used: Set<Rule> = []
        for entry in try sim.auditEntries() {
            // The simulator's kubelet half has its own user agent: only the controller's requests count.
            guard let agent = entry["userAgent"] as? String, !agent.hasPrefix("kubectl"), !agent.hasPrefix("capstan-sim-kubelet"),
                let verb = entry["verb"] as? String, let resource = entry["resource"] as? String
            else { continue }
            let group = entry["group"] as? String ?? ""
            let subresource = entry["subresource"] as? String ?? ""
            used.insert(Rule(group: group, resource: subresource.isEmpty ? resource : "\(resource)/\(subresource)", verb: verb))
        }
        #expect(used.contains(Rule(group: "", resource: "pods", verb: "create")))
        #expect(used.contains(Rule(group: "capstan.dev", resource: "workflows/status", verb: "patch")))
        #expect(used.contains(Rule(group: "capstan.dev", resource: "workflows", verb: "create")))
        #expect(used.contains(Rule(group: "capstan.dev", resource: "cronworkflows/status", verb: "patch")))
        #expect(used.contains(Rule(group: "coordination.k8s.io", resource: "leases", verb: "update")))
        let missing = used.subtracting(allowed)
        #expect(missing.isEmpty, "requests the RBAC rules do not allow: \(missing)")
    }
}
