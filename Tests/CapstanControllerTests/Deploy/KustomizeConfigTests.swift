import CapstanAPI
import Foundation
import Testing
import TestSupport

@Suite("Kustomize config")
struct KustomizeConfigTests {
    static let crdFile = RepositoryLayout.path("config/crd/capstan.dev_workflows.yaml")

    static func kustomize(_ directory: String) async throws -> (ManifestDocuments, ProcessOutput) {
        let output = try await runProcess(try DeployTool.kubectl(), ["kustomize", RepositoryLayout.path(directory)])
        guard output.status == 0 else { return (ManifestDocuments(objects: []), output) }
        return (try ManifestDocuments(yaml: output.stdout), output)
    }

    @Test("config/manager: the Deployment runs `capstan run` with leader election and a locked-down pod")
    func manager() async throws {
        let (manifests, output) = try await Self.kustomize("config/manager")
        try #require(output.status == 0, "\(output.report)")
        #expect(manifests.kinds.sorted() == ["Deployment", "Namespace", "Service"])
        let deployment = try #require(manifests.first(kind: "Deployment", name: "capstan-controller"))
        #expect(deployment.value(at: "metadata", "namespace")?.stringValue == "capstan-system")
        let pod = try #require(deployment.value(at: "spec", "template", "spec"))
        #expect(pod["serviceAccountName"]?.stringValue == "capstan-controller")
        let container = try #require(pod["containers"]?[0])
        #expect(container["image"]?.stringValue == "ghcr.io/capstan-dev/capstan:0.1.0")
        #expect(container["args"]?.stringList == [
            "run", "--leader-elect", "--metrics-addr=:8080", "--health-addr=:8081", "--log-format=json",
            "--dispatch-addr=:8082", "--dispatch-url=http://$(POD_IP):8082", "--worker-image=ghcr.io/capstan-dev/capstan:0.1.0",
        ])
        try expectHardened(pod: pod, container: container)

        let service = try #require(manifests.first(kind: "Service", name: "capstan-controller-metrics"))
        #expect(service.value(at: "spec", "ports")?[0]?["targetPort"]?.stringValue == "metrics")
        let podLabels = deployment.value(at: "spec", "template", "metadata", "labels")?.objectValue ?? [:]
        let selector = service.value(at: "spec", "selector")?.objectValue ?? [:]
        #expect(!selector.isEmpty && selector.allSatisfy { podLabels[$0.key] == $0.value },
                "the metrics Service selects the controller's pods")
    }

    @Test("config/rbac: least privilege, with the Lease rights only in the controller's namespace")
    func rbac() async throws {
        let (manifests, output) = try await Self.kustomize("config/rbac")
        try #require(output.status == 0, "\(output.report)")
        let clusterRole = try #require(manifests.first(kind: "ClusterRole", name: "capstan-controller"))
        var granted: [String: [String]] = [:]
        for rule in clusterRole["rules"]?.arrayValue ?? [] {
            for group in rule["apiGroups"]?.stringList ?? [] {
                for resource in rule["resources"]?.stringList ?? [] {
                    granted["\(group)/\(resource)", default: []] += rule["verbs"]?.stringList ?? []
                }
            }
        }
        #expect(granted == [
            "capstan.dev/workflows": ["get", "list", "watch", "create", "patch", "delete"],
            "capstan.dev/workflows/status": ["get", "update", "patch"],
            "capstan.dev/workflowtemplates": ["get"],
            "capstan.dev/workflows/finalizers": ["update"],
            "capstan.dev/cronworkflows": ["get", "list", "watch"],
            "capstan.dev/cronworkflows/status": ["patch"],
            "capstan.dev/cronworkflows/finalizers": ["update"],
            "/pods": ["get", "list", "watch", "create", "delete"],
            "/events": ["create", "patch", "list", "watch"],
            "events.k8s.io/events": ["create", "patch"],
        ])
        let lease = try #require(manifests.first(kind: "Role", name: "capstan-leader-election"))
        #expect(lease.value(at: "metadata", "namespace")?.stringValue == "capstan-system")
        #expect(lease["rules"]?[0]?["verbs"]?.stringList == ["get", "create", "update"])
        for binding in manifests.all(kind: "ClusterRoleBinding") + manifests.all(kind: "RoleBinding") {
            #expect(binding["subjects"]?[0]?["name"]?.stringValue == "capstan-controller")
            #expect(binding["subjects"]?[0]?["namespace"]?.stringValue == "capstan-system")
        }
    }

    @Test("config/samples: Workflows of capstan.dev/v1alpha1 with well-formed node names")
    func samples() async throws {
        let (manifests, output) = try await Self.kustomize("config/samples")
        try #require(output.status == 0, "\(output.report)")
        #expect(manifests.objects.count == 3)
        for workflow in manifests.objects {
            let name = workflow.value(at: "metadata", "name")?.stringValue ?? "?"
            #expect(workflow["apiVersion"]?.stringValue == "capstan.dev/v1alpha1", "\(name)")
            #expect(workflow["kind"]?.stringValue == "Workflow", "\(name)")
            let nodes = workflow.value(at: "spec", "nodes")?.arrayValue ?? []
            #expect(!nodes.isEmpty, "\(name) has nodes")
            for node in nodes {
                let nodeName = node["name"]?.stringValue ?? ""
                let dns1123 = nodeName.count <= 50 && !nodeName.isEmpty
                    && nodeName.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" }
                    && nodeName.first != "-" && nodeName.last != "-"
                #expect(dns1123, "\(name): node name \(nodeName) is a DNS-1123 label of at most 50 characters")
            }
        }
        let map = manifests.objects.first { $0.value(at: "metadata", "name")?.stringValue == "map-squares" }
        #expect(map?.value(at: "spec", "nodes")?[0]?.value(at: "map", "concurrency")?.intValue == 4)
    }

    @Test("config/samples pass `capstan validate`")
    func samplesValidate() async throws {
        let samples = ["hello", "diamond", "map"].map { RepositoryLayout.path("config/samples/\($0).yaml") }
        let output = try await runProcess(try CapstanBinary.path(), ["validate"] + samples)
        #expect(output.status == 0, "\(output.report)")
    }

    @Test("config/default: everything in capstan-system, the CRDs included")
    func defaultOverlay() async throws {
        try #require(FileManager.default.fileExists(atPath: Self.crdFile),
                     "missing \(Self.crdFile): run `swift run capstan crd workflows > config/crd/capstan.dev_workflows.yaml`")
        let (manifests, output) = try await Self.kustomize("config/default")
        try #require(output.status == 0, "\(output.report)")
        let crds = manifests.all(kind: "CustomResourceDefinition").compactMap { $0.value(at: "metadata", "name")?.stringValue }
        #expect(crds.sorted() == ["cronworkflows.capstan.dev", "workflows.capstan.dev", "workflowtemplates.capstan.dev"])
        let clusterScoped: Set<String> = ["Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding"]
        for object in manifests.objects where !clusterScoped.contains(object["kind"]?.stringValue ?? "") {
            #expect(object.value(at: "metadata", "namespace")?.stringValue == "capstan-system",
                    "\(object["kind"]?.stringValue ?? "?") \(object.value(at: "metadata", "name")?.stringValue ?? "?")")
        }
        let deployment = try #require(manifests.first(kind: "Deployment", name: "capstan-controller"))
        let pod = try #require(deployment.value(at: "spec", "template", "spec"))
        try expectHardened(pod: pod, container: try #require(pod["containers"]?[0]))
        #expect(Set(manifests.kinds).isSuperset(of: [
            "Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Service",
        ]))
    }
}
