import CapstanAPI
import Foundation
import Testing
import TestSupport

/// The installed kubectl 1.32 against `capstan sim` started as a process.
@Suite struct KubectlTests {
    private func startWithCRD() async throws -> SimProcess {
        let sim = try await SimProcess.start()
        let applied = try await sim.kubectl("apply", "-f", "-", stdin: Fixtures.workflowCRD)
        try #require(applied.exitCode == 0, "\(applied)")
        #expect(applied.stdout.contains("customresourcedefinition.apiextensions.k8s.io/workflows.capstan.dev created"))
        return sim
    }

    @Test func appliesACRDThenAWorkflowAndShowsPrinterColumns() async throws {
        let sim = try await startWithCRD()
        let applied = try await sim.kubectl("apply", "-f", "-", stdin: Fixtures.workflow("train"))
        #expect(applied.exitCode == 0, "\(applied)")
        #expect(applied.stdout.contains("workflow.capstan.dev/train created"))

        let table = try await sim.kubectl("get", "cwf")
        #expect(table.exitCode == 0, "\(table)")
        let header = table.stdout.split(separator: "\n").first.map(String.init) ?? ""
        #expect(header.split(separator: " ", omittingEmptySubsequences: true) == ["NAME", "PHASE", "PROGRESS", "AGE"])
        #expect(table.stdout.contains("train"))

        let json = try await sim.kubectl("get", "workflow", "train", "-o", "json")
        let object = try JSONValue.parse(json.stdout)
        #expect(object["kind"] == "Workflow")
        #expect(object["metadata"]?["generation"] == 1)
        #expect(object["metadata"]?["uid"]?.stringValue?.count == 36)
        #expect(object["spec"]?["nodes"]?[0]?["name"] == "hello")

        // Applying a changed spec is an update that bumps the generation.
        let changed = Fixtures.workflow("train").replacingOccurrences(of: "[echo, hi]", with: "[echo, bye]")
        let reapplied = try await sim.kubectl("apply", "-f", "-", stdin: changed)
        #expect(reapplied.stdout.contains("workflow.capstan.dev/train configured"), "\(reapplied)")
        let generation = try await sim.kubectl("get", "cwf", "train", "-o", "jsonpath={.metadata.generation}")
        #expect(generation.stdout == "2")
    }

    /// kubectl validates a kind missing from the v3 documents against `/openapi/v2`, read as
    /// protobuf; a kind nobody serves then fails as on a real cluster, naming the kind.
    @Test func aKindTheServerDoesNotServeIsReportedByName() async throws {
        let sim = try await startWithCRD()
        let unknown = """
            apiVersion: example.com/v1
            kind: Gadget
            metadata: {name: g1, namespace: default}
            """
        let applied = try await sim.kubectl("apply", "-f", "-", stdin: unknown)
        #expect(applied.exitCode == 1)
        #expect(applied.stderr.contains(#"no matches for kind "Gadget" in version "example.com/v1""#), "\(applied)")
        let raw = try await RawHTTP.request(sim.url, "GET", "/openapi/v2",
                                            headers: ["Accept": "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"])
        #expect(raw.status == 200)
        #expect(raw.headers["content-type"] == "application/com.github.proto-openapi.spec.v2.v1.0+protobuf")
        #expect(Array(raw.body.prefix(5)) == [0x0A, 0x03] + Array("2.0".utf8), "a Document whose field 1 is swagger \"2.0\"")
    }

    @Test func patchesLabelsAndAnnotates() async throws {
        let sim = try await startWithCRD()
        _ = try await sim.kubectl("apply", "-f", "-", stdin: Fixtures.workflow("w1"))
        let patched = try await sim.kubectl("patch", "cwf", "w1", "--type", "merge", "-p", #"{"spec":{"parallelism":4}}"#)
        #expect(patched.exitCode == 0, "\(patched)")
        #expect(patched.stdout.contains("workflow.capstan.dev/w1 patched"))
        let labeled = try await sim.kubectl("label", "cwf", "w1", "team=ml")
        #expect(labeled.stdout.contains("labeled"), "\(labeled)")
        let annotated = try await sim.kubectl("annotate", "cwf", "w1", "owner=alice")
        #expect(annotated.stdout.contains("annotated"), "\(annotated)")

        let object = try JSONValue.parse(try await sim.kubectl("get", "cwf", "w1", "-o", "json").stdout)
        #expect(object["spec"]?["parallelism"] == 4)
        #expect(object["metadata"]?["labels"]?["team"] == "ml")
        #expect(object["metadata"]?["annotations"]?["owner"] == "alice")
        // Labels and annotations are metadata: only the spec patch bumped the generation.
        #expect(object["metadata"]?["generation"] == 2)

        let selected = try await sim.kubectl("get", "cwf", "-l", "team=ml", "-o", "name")
        #expect(selected.stdout == "workflow.capstan.dev/w1\n")
        let none = try await sim.kubectl("get", "cwf", "-l", "team!=ml", "-o", "name")
        #expect(none.stdout.isEmpty, "\(none)")
    }

    @Test func labelsAndPatchesBuiltInPodsWithStrategicMerge() async throws {
        // The API server alone: the pod must stay Pending.
        let sim = try await SimProcess.start(["--nodes", "0"])
        let created = try await sim.kubectl("create", "-f", "-", stdin: Fixtures.pod("p1").jsonString)
        #expect(created.exitCode == 0, "\(created)")
        #expect(try await sim.kubectl("label", "pod", "p1", "tier=batch").exitCode == 0)
        let patched = try await sim.kubectl("patch", "pod", "p1", "-p",
                                            #"{"spec":{"containers":[{"name":"main","image":"busybox:1.37"}]}}"#)
        #expect(patched.exitCode == 0, "\(patched)")
        let pod = try JSONValue.parse(try await sim.kubectl("get", "pod", "p1", "-o", "json").stdout)
        #expect(pod["metadata"]?["labels"]?["tier"] == "batch")
        // Strategic merge keeps the container's other fields and merges it by name.
        #expect(pod["spec"]?["containers"]?.arrayValue?.count == 1)
        #expect(pod["spec"]?["containers"]?[0]?["image"] == "busybox:1.37")
        #expect(pod["spec"]?["containers"]?[0]?["terminationMessagePath"] == "/dev/termination-log")
        #expect(pod["status"]?["phase"] == "Pending")
    }

    @Test func deletingAWorkflowDeletesItsPods() async throws {
        let sim = try await startWithCRD()
        _ = try await sim.kubectl("apply", "-f", "-", stdin: Fixtures.workflow("owner"))
        let uid = try await sim.kubectl("get", "cwf", "owner", "-o", "jsonpath={.metadata.uid}").stdout
        for name in ["owned-a", "owned-b"] {
            let pod = Fixtures.pod(name, owner: ("owner", uid))
            #expect(try await sim.kubectl("create", "-f", "-", stdin: pod.jsonString).exitCode == 0)
        }
        #expect(try await sim.kubectl("create", "-f", "-", stdin: Fixtures.pod("unrelated").jsonString).exitCode == 0)

        let deleted = try await sim.kubectl("delete", "cwf", "owner")
        #expect(deleted.stdout.contains("workflow.capstan.dev \"owner\" deleted"), "\(deleted)")
        let waited = try await sim.kubectl("wait", "--for=delete", "pod/owned-a", "pod/owned-b", "--timeout=20s")
        #expect(waited.exitCode == 0, "\(waited)")
        let remaining = try await sim.kubectl("get", "pods", "-o", "name")
        #expect(remaining.stdout == "pod/unrelated\n")
    }

    @Test func watchSeesAChange() async throws {
        let sim = try await startWithCRD()
        _ = try await sim.kubectl("apply", "-f", "-", stdin: Fixtures.workflow("watched"))
        // On a machine the whole suite loads, kubectl's own requests can outlast its request
        // timeout; a watch that ended before the change is started again, up to three times.
        var last: ProcessResult?
        for value in 7...9 {
            async let watch = sim.kubectl("get", "cwf", "watched", "-w", "-o", "jsonpath={.spec.parallelism}{\"\\n\"}",
                                          "--request-timeout=20s", timeout: 180)
            try await sim.waitForRequest(verb: "watch", resource: "workflows")
            let patched = try await sim.kubectl("patch", "cwf", "watched", "--type", "merge", "-p", #"{"spec":{"parallelism":\#(value)}}"#)
            #expect(patched.exitCode == 0, "\(patched)")
            let result = try await watch
            last = result
            if result.stdout.split(separator: "\n").contains(Substring(String(value))) { return }
        }
        Issue.record("kubectl get -w never printed the new parallelism: \(String(describing: last))")
    }

    @Test func waitsForAConditionAndAJSONPath() async throws {
        let sim = try await startWithCRD()
        let established = try await sim.kubectl("wait", "--for=condition=Established", "crd/workflows.capstan.dev",
                                                "--timeout=10s")
        #expect(established.exitCode == 0, "\(established)")
        _ = try await sim.kubectl("apply", "-f", "-", stdin: Fixtures.workflow("waiting"))
        // Generous limits: on a machine the whole suite loads, kubectl's start and discovery
        // alone can take many seconds; the patch below is what ends the wait.
        async let waited = sim.kubectl("wait", "--for=jsonpath={.status.phase}=Succeeded", "cwf/waiting", "--timeout=90s",
                                       timeout: 120)
        try await Task.sleep(for: .milliseconds(500))
        let status = try await sim.kubectl("patch", "cwf", "waiting", "--subresource=status", "--type=merge",
                                           "-p", #"{"status":{"phase":"Succeeded","progress":"1/1"}}"#)
        #expect(status.exitCode == 0, "\(status)")
        let result = try await waited
        #expect(result.exitCode == 0, "\(result)")
        let table = try await sim.kubectl("get", "cwf", "waiting", "--no-headers")
        #expect(table.stdout.contains("Succeeded") && table.stdout.contains("1/1"), "\(table)")
    }

    @Test func createsAndDeletesNamespaces() async throws {
        let sim = try await SimProcess.start()
        #expect(try await sim.kubectl("create", "namespace", "ml").exitCode == 0)
        // kube's service account controller gives every namespace a default ServiceAccount.
        let account = try await sim.kubectl("get", "serviceaccount", "default", "-n", "ml", "-o", "name")
        #expect(account.stdout == "serviceaccount/default\n", "\(account)")
        // kubectl's typed `create` commands send protobuf bodies.
        #expect(try await sim.kubectl("create", "configmap", "settings", "-n", "ml", "--from-literal=a=b").exitCode == 0)
        #expect(try await sim.kubectl("create", "secret", "generic", "token", "-n", "ml", "--from-literal=t=s3cret").exitCode == 0)
        let secret = try JSONValue.parse(try await sim.kubectl("get", "secret", "token", "-n", "ml", "-o", "json").stdout)
        #expect(secret["data"]?["t"] == "czNjcmV0")
        #expect(secret["type"] == "Opaque")
        let settings = try await sim.kubectl("get", "configmap", "settings", "-n", "ml", "-o", "jsonpath={.data.a}")
        #expect(settings.stdout == "b")
        let deleted = try await sim.kubectl("delete", "namespace", "ml", "--timeout=20s")
        #expect(deleted.exitCode == 0, "\(deleted)")
        let gone = try await sim.kubectl("get", "namespace", "ml")
        #expect(gone.exitCode != 0)
        #expect(gone.stderr.contains("namespaces \"ml\" not found"), "\(gone)")
        let denied = try await sim.kubectl("create", "configmap", "late", "-n", "ml")
        #expect(denied.stderr.contains("namespaces \"ml\" not found"), "\(denied)")
    }
}
