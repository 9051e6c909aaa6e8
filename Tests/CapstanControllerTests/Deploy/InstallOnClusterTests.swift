import CapstanAPI
import Foundation
import Testing
import TestSupport

/// The install paths a user takes, applied with kubectl to `capstan sim`: the kustomize base,
/// the samples, and the Helm chart's rendered output. Each test gets a fresh cluster, as a
/// first install does.
@Suite struct InstallOnClusterTests {
    @Test func kustomizeDefaultInstallsTheOperatorAndServesWorkflows() async throws {
        let sim = try await SimProcess.start(["--nodes", "0"])

        let applied = try await sim.kubectl("apply", "-k", RepositoryLayout.path("config/default"))
        try #require(applied.exitCode == 0, "kubectl apply -k config/default: \(applied)")
        for created in ["namespace/capstan-system", "customresourcedefinition.apiextensions.k8s.io/workflows.capstan.dev",
                        "serviceaccount/capstan-controller", "clusterrole.rbac.authorization.k8s.io/capstan-controller",
                        "clusterrolebinding.rbac.authorization.k8s.io/capstan-controller",
                        "deployment.apps/capstan-controller"] {
            #expect(applied.stdout.contains("\(created) created"), "\(created) missing from: \(applied.stdout)")
        }

        let table = try await sim.kubectl("get", "deployments", "-n", "capstan-system")
        let header = table.stdout.split(separator: "\n").first.map { $0.split(separator: " ") } ?? []
        #expect(header == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"], "\(table)")
        // Nothing runs a Deployment's pods in the sim (no controller-manager): none ready of the two wanted.
        let row = table.stdout.split(separator: "\n").dropFirst().first.map { $0.split(separator: " ").prefix(4) } ?? []
        #expect(Array(row) == ["capstan-controller", "0/2", "0", "0"], "\(table)")

        let deployment = try await sim.object("deployment", "capstan-controller", namespace: "capstan-system")
        let container = deployment["spec"]?["template"]?["spec"]?["containers"]?[0]
        #expect(container?["args"]?.arrayValue?.contains("--leader-elect") == true, "args: \(container?["args"]?.jsonString ?? "none")")
        #expect(deployment["spec"]?["template"]?["spec"]?["serviceAccountName"] == "capstan-controller")

        // The CRD it installed is served: a Workflow can be created and read back by its short name
        // (`cwf`, which leaves Argo's `wf` alone).
        let hello = try await sim.kubectl("apply", "-f", RepositoryLayout.path("config/samples/hello.yaml"))
        #expect(hello.exitCode == 0, "\(hello)")
        let listed = try await sim.kubectl("get", "cwf", "-A", "-o", "name")
        #expect(listed.stdout.contains("workflow.capstan.dev/hello"), "\(listed)")

        // Applying again changes nothing, as GitOps tools re-apply on every sync.
        let again = try await sim.kubectl("apply", "-k", RepositoryLayout.path("config/default"))
        #expect(again.exitCode == 0, "\(again)")
        #expect(!again.stdout.contains(" created") && !again.stdout.contains(" configured"), "second apply: \(again.stdout)")
    }

    @Test func everySampleApplies() async throws {
        let sim = try await SimProcess.start(["--nodes", "0"])
        let crd = try await sim.applyCRDs()
        try #require(crd.exitCode == 0, "\(crd)")

        let directory = RepositoryLayout.path("config/samples")
        let samples = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".yaml") && $0 != "kustomization.yaml" }.sorted()
        try #require(samples.count >= 3, "samples found: \(samples)")
        for sample in samples {
            let applied = try await sim.kubectl("apply", "-f", "\(directory)/\(sample)")
            #expect(applied.exitCode == 0, "kubectl apply -f config/samples/\(sample): \(applied)")
        }
        // The samples' kustomization lists them all.
        let viaKustomize = try await sim.kubectl("apply", "-k", directory)
        #expect(viaKustomize.exitCode == 0, "\(viaKustomize)")
        let names = try await sim.kubectl("get", "workflows", "-n", "default", "-o", "name")
        #expect(names.stdout.split(separator: "\n").count == samples.count, "workflows: \(names.stdout), samples: \(samples)")
    }

    @Test func helmTemplateOutputAppliesWithItsCRDs() async throws {
        let sim = try await SimProcess.start(["--nodes", "0"])
        let rendered = try await runProcess(try DeployTool.helm(),
                                      ["template", "capstan", Chart.path, "--namespace", "capstan-system", "--include-crds"])
        try #require(rendered.status == 0, "helm template: \(rendered.stderr)")

        // `helm install --create-namespace` makes the namespace first; so does this.
        let namespace = try await sim.kubectl("create", "namespace", "capstan-system")
        try #require(namespace.exitCode == 0, "\(namespace)")
        let applied = try await sim.kubectl("apply", "-f", "-", stdin: rendered.stdout)
        try #require(applied.exitCode == 0, "helm template | kubectl apply: \(applied)")
        for created in ["customresourcedefinition.apiextensions.k8s.io/workflows.capstan.dev", "serviceaccount/capstan-controller",
                        "deployment.apps/capstan-controller"] {
            #expect(applied.stdout.contains(created), "\(created) missing from: \(applied.stdout)")
        }
        let deployments = try await sim.kubectl("get", "deployments", "-n", "capstan-system", "-o", "name")
        #expect(deployments.exitCode == 0 && !deployments.stdout.isEmpty, "\(deployments)")
        let workflow = try await sim.kubectl("apply", "-f", RepositoryLayout.path("examples/hello.yaml"))
        #expect(workflow.exitCode == 0, "the chart's CRD serves Workflows: \(workflow)")
    }
}
