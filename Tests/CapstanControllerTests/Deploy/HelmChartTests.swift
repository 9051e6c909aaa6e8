import CapstanAPI
import Foundation
import Testing

@Suite("Helm chart")
struct HelmChartTests {
    @Test("helm lint passes with the default values and with every option on")
    func lint() async throws {
        let helm = try DeployTool.helm()
        let defaults = try await runProcess(helm, ["lint", "--strict", Chart.path])
        #expect(defaults.status == 0, "\(defaults.report)")
        #expect(defaults.stdout.contains("0 chart(s) failed"), "\(defaults.report)")

        let values = try Chart.valuesFile(Chart.everythingValues)
        defer { try? FileManager.default.removeItem(at: values) }
        let everything = try await runProcess(helm, ["lint", "--strict", Chart.path, "--values", values.path])
        #expect(everything.status == 0, "\(everything.report)")

        let sharded = try await runProcess(helm, ["lint", "--strict", Chart.path, "--set", "sharding.shards=2"])
        #expect(sharded.status == 0, "\(sharded.report)")
    }

    @Test("the default install renders the controller, its RBAC and the metrics Service, nothing optional")
    func defaultKinds() async throws {
        let (manifests, output) = try await Chart.render()
        try #require(output.status == 0, "\(output.report)")
        #expect(manifests.kinds.sorted() == [
            "ClusterRole", "ClusterRoleBinding", "Deployment", "Role", "RoleBinding", "Secret", "Service", "ServiceAccount",
        ])
        // The key map.workers tokens are signed with, created once and kept (docs/workers.md).
        let key = try #require(manifests.first(kind: "Secret", name: "capstan-worker-key"))
        #expect(key.value(at: "metadata", "annotations", "helm.sh/resource-policy")?.stringValue == "keep")
        #expect((key.value(at: "data", "key")?.stringValue?.count ?? 0) >= 32)
        let role = try #require(manifests.first(kind: "Role"))
        #expect(role.value(at: "metadata", "namespace")?.stringValue == "capstan-system")
        #expect(role["rules"]?[0]?["resources"]?.stringList == ["leases"])
        #expect(role["rules"]?[0]?["verbs"]?.stringList == ["get", "create", "update"])
    }

    @Test("the Deployment runs `capstan run` with leader election, probes, metrics and a locked-down pod")
    func deployment() async throws {
        let (manifests, output) = try await Chart.render()
        try #require(output.status == 0, "\(output.report)")
        let deployment = try #require(manifests.first(kind: "Deployment", name: "capstan-controller"))
        #expect(deployment.value(at: "spec", "replicas")?.intValue == 2)
        let pod = try #require(deployment.value(at: "spec", "template", "spec"))
        #expect(pod["serviceAccountName"]?.stringValue == "capstan-controller")
        let container = try #require(pod["containers"]?[0])
        #expect(container["image"]?.stringValue == "ghcr.io/capstan-dev/capstan:0.1.0")
        #expect(container["args"]?.stringList == [
            "run", "--leader-elect", "--metrics-addr=:8080", "--health-addr=:8081",
            "--dispatch-addr=:8082", "--dispatch-url=http://$(POD_IP):8082", "--worker-image=ghcr.io/capstan-dev/capstan:0.1.0",
            "--worker-key-file=/etc/capstan/worker-key/key",
            "--log-format=json", "--log-level=info", "--system-retries=3",
        ])
        try expectHardened(pod: pod, container: container)
    }

    @Test("values reach the controller: store, credentials, IRSA, spot settings, tuning, one namespace")
    func everythingOn() async throws {
        let values = try Chart.valuesFile(Chart.everythingValues)
        defer { try? FileManager.default.removeItem(at: values) }
        let (manifests, output) = try await Chart.render(["--values", values.path])
        try #require(output.status == 0, "\(output.report)")
        #expect(manifests.kinds.sorted() == [
            "Deployment", "PodDisruptionBudget", "PrometheusRule", "Role", "Role", "RoleBinding", "RoleBinding",
            "Secret", "Service", "ServiceAccount", "ServiceMonitor",
        ])

        let container = try #require(
            manifests.first(kind: "Deployment")?.value(at: "spec", "template", "spec", "containers")?[0])
        let args = container["args"]?.stringList ?? []
        for expected in [
            "--store=s3://ml-artifacts/capstan", "--namespace=ml", "--log-format=text", "--log-level=debug",
            "--workers=64", "--kube-qps=200", "--kube-burst=400", "--system-retries=5",
            "--spot-node-selector=eks.amazonaws.com/capacityType=SPOT",
            "--spot-toleration=spot=true:NoSchedule", "--spot-toleration=example.com/preemptible:NoExecute",
            "--log-link=cloudwatch=https://console.aws.amazon.com/cloudwatch/home#logsV2:log-groups/log-group/$252Faws$252Fcontainerinsights$252Fml$252Fapplication/log-events$3FfilterPattern$3D$2522{pod}$2522",
            "--log-link=loki=https://grafana.example.com/explore?left=%7B%22queries%22:%5B%7B%22expr%22:%22%7Bpod%3D%5C%22{pod}%5C%22%7D%22%7D%5D%7D",
            "--default-ttl=168h",
        ] {
            #expect(args.contains(expected), "missing \(expected) in \(args)")
        }

        let env = container["env"]?.arrayValue ?? []
        func variable(_ name: String) -> JSONValue? { env.first { $0["name"]?.stringValue == name } }
        #expect(variable("AWS_REGION")?["value"]?.stringValue == "eu-west-1")
        #expect(variable("AWS_ENDPOINT_URL_S3")?["value"]?.stringValue == "https://s3.eu-west-1.amazonaws.com")
        for (name, key) in [("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID"), ("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY")] {
            let reference = variable(name)?.value(at: "valueFrom", "secretKeyRef")
            #expect(reference?["name"]?.stringValue == "capstan-s3", "\(name) comes from the Secret")
            #expect(reference?["key"]?.stringValue == key)
        }
        #expect(variable("AWS_SESSION_TOKEN")?.value(at: "valueFrom", "secretKeyRef", "optional")?.boolValue == true)

        let account = try #require(manifests.first(kind: "ServiceAccount"))
        #expect(account.value(at: "metadata", "annotations", "eks.amazonaws.com/role-arn")?.stringValue
            == "arn:aws:iam::111122223333:role/capstan-controller")
        #expect(account.value(at: "metadata", "annotations", "example.com/owner")?.stringValue == "ml-platform")

        // One watched namespace: the workflow rights are a Role there, not cluster-wide.
        let workflowRole = try #require(manifests.all(kind: "Role").first {
            $0.value(at: "metadata", "namespace")?.stringValue == "ml"
        })
        #expect(workflowRole["rules"]?.arrayValue?.contains { $0["resources"]?.stringList == ["workflows"] } == true)

        let monitor = try #require(manifests.first(kind: "ServiceMonitor"))
        #expect(monitor.value(at: "metadata", "labels", "release")?.stringValue == "kube-prometheus-stack")
        #expect(monitor.value(at: "spec", "endpoints")?[0]?["port"]?.stringValue == "metrics")
        let service = try #require(manifests.first(kind: "Service"))
        let selector = monitor.value(at: "spec", "selector", "matchLabels")?.objectValue ?? [:]
        let serviceLabels = service.value(at: "metadata", "labels")?.objectValue ?? [:]
        #expect(!selector.isEmpty && selector.allSatisfy { serviceLabels[$0.key] == $0.value },
                "the ServiceMonitor selects the metrics Service")
    }

    @Test("sharding.shards runs one replica per shard plus the standbys, each with --shards and the Lease rights")
    func sharding() async throws {
        let (manifests, output) = try await Chart.render(["--set", "sharding.shards=3"])
        try #require(output.status == 0, "\(output.report)")
        let deployment = try #require(manifests.first(kind: "Deployment", name: "capstan-controller"))
        #expect(deployment.value(at: "spec", "replicas")?.intValue == 4, "3 shards and the default standby")
        let args = deployment.value(at: "spec", "template", "spec", "containers")?[0]?["args"]?.stringList ?? []
        #expect(args.prefix(2) == ["run", "--shards=3"] && !args.contains("--leader-elect"), "\(args)")
        let role = try #require(manifests.first(kind: "Role"))
        #expect(role["rules"]?[0]?["resources"]?.stringList == ["leases"])

        let (noStandby, plain) = try await Chart.render(["--set", "sharding.shards=2", "--set", "sharding.standbys=0", "--set", "leaderElection.enabled=false"])
        try #require(plain.status == 0, "\(plain.report)")
        #expect(noStandby.first(kind: "Deployment", name: "capstan-controller")?.value(at: "spec", "replicas")?.intValue == 2)
        #expect(noStandby.first(kind: "Role") != nil, "the shard Leases need the Lease rights without leader election")

        let (_, refused) = try await Chart.render(["--set", "sharding.shards=-1"])
        #expect(refused.status != 0 && refused.stderr.contains("- sharding.shards:"), "\(refused.report)")
    }

    @Test("several replicas without leader election are refused with a reason")
    func replicasNeedLeaderElection() async throws {
        let (_, output) = try await Chart.render(["--set", "replicas=3", "--set", "leaderElection.enabled=false"])
        #expect(output.status != 0)
        #expect(output.stderr.contains("replicas > 1 needs leaderElection.enabled"), "\(output.report)")
    }

    @Test("values.schema.json rejects values the controller would refuse, naming the value")
    func schemaRejectsBadValues() async throws {
        for (setting, field) in [
            ("logFormat=xml", "logFormat"), ("store.url=http://bucket/prefix", "store.url"),
            ("serviceAccount.roleArn=capstan-role", "serviceAccount.roleArn"), ("workers=0", "workers"),
            ("defaultTTL=7days", "defaultTTL"), ("logLinks.bad name=x", "logLinks"),
        ] {
            let (_, output) = try await Chart.render(["--set", setting])
            #expect(output.status != 0, "--set \(setting) is refused")
            #expect(output.stderr.contains("- \(field):"), "the error names \(field)\n\(output.report)")
        }
        let (_, accepted) = try await Chart.render(["--set", "kubeQPS=50.5", "--set", "spot.nodeSelector.spot=true"])
        #expect(accepted.status == 0, "decimal QPS and boolean-looking labels from --set are fine\n\(accepted.report)")
    }

    @Test("the chart's RBAC rules are the ones in config/rbac")
    func rbacMatchesKustomize() async throws {
        let (manifests, output) = try await Chart.render()
        try #require(output.status == 0, "\(output.report)")
        let chartRules = try #require(manifests.first(kind: "ClusterRole")?["rules"])
        let configRules = try #require(ManifestDocuments(file: RepositoryLayout.path("config/rbac/role.yaml"))
            .first(kind: "ClusterRole")?["rules"])
        #expect(chartRules == configRules)
    }
}

/// The security settings both install paths promise (docs/install.md): non-root, read-only
/// root filesystem, no privilege escalation, no capabilities, the runtime's seccomp profile,
/// probes on the health port and the metrics port named for scraping.
func expectHardened(pod: JSONValue, container: JSONValue, sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(pod.value(at: "securityContext", "runAsNonRoot")?.boolValue == true, sourceLocation: sourceLocation)
    #expect(pod.value(at: "securityContext", "runAsUser")?.intValue == 65532, sourceLocation: sourceLocation)
    #expect(pod.value(at: "securityContext", "seccompProfile", "type")?.stringValue == "RuntimeDefault",
            sourceLocation: sourceLocation)
    let security = try #require(container["securityContext"], sourceLocation: sourceLocation)
    #expect(security["runAsNonRoot"]?.boolValue == true, sourceLocation: sourceLocation)
    #expect(security["readOnlyRootFilesystem"]?.boolValue == true, sourceLocation: sourceLocation)
    #expect(security["allowPrivilegeEscalation"]?.boolValue == false, sourceLocation: sourceLocation)
    #expect(security.value(at: "capabilities", "drop")?.stringList == ["ALL"], sourceLocation: sourceLocation)
    #expect(security.value(at: "seccompProfile", "type")?.stringValue == "RuntimeDefault", sourceLocation: sourceLocation)

    let ports = container["ports"]?.arrayValue ?? []
    let metrics = ports.first { $0["name"]?.stringValue == "metrics" }
    #expect(metrics?["containerPort"]?.intValue == 8080, "metrics port 8080 named metrics", sourceLocation: sourceLocation)
    let health = ports.first { $0["name"]?.stringValue == "health" }
    #expect(health?["containerPort"]?.intValue == 8081, sourceLocation: sourceLocation)
    #expect(container.value(at: "livenessProbe", "httpGet", "path")?.stringValue == "/healthz", sourceLocation: sourceLocation)
    #expect(container.value(at: "livenessProbe", "httpGet", "port")?.stringValue == "health", sourceLocation: sourceLocation)
    #expect(container.value(at: "readinessProbe", "httpGet", "path")?.stringValue == "/readyz", sourceLocation: sourceLocation)
    #expect(container.value(at: "readinessProbe", "httpGet", "port")?.stringValue == "health", sourceLocation: sourceLocation)

    let resources = try #require(container["resources"], sourceLocation: sourceLocation)
    for section in ["requests", "limits"] {
        for resource in ["cpu", "memory"] {
            #expect(resources.value(at: section, resource) != nil, "resources.\(section).\(resource) is set",
                    sourceLocation: sourceLocation)
        }
    }
    let tmp = container["volumeMounts"]?.arrayValue?.first { $0["mountPath"]?.stringValue == "/tmp" }
    #expect(tmp != nil, "a writable /tmp beside the read-only root filesystem", sourceLocation: sourceLocation)
}
