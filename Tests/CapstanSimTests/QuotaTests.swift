import CapstanAPI
import Foundation
import Testing
import TestSupport

/// `ResourceQuota` on pod creates, through `capstan sim` as a process: the 403s kube's quota
/// admission plugin sends, and the quota's status as kube's quota controller keeps it.
@Suite struct QuotaTests {
    private let pods = "/api/v1/namespaces/default/pods"

    private static let quota = """
        apiVersion: v1
        kind: ResourceQuota
        metadata:
          name: compute
        spec:
          hard:
            pods: "2"
            requests.cpu: "1"
            requests.memory: 1Gi
            requests.nvidia.com/gpu: 1

        """

    private func pod(_ name: String, cpu: String? = "250m", gpus: Int? = nil) -> JSONValue {
        var resources: JSONValue = [:]
        if let cpu { resources["requests"] = ["cpu": .string(cpu), "memory": "256Mi"] }
        if let gpus { resources["limits"] = ["nvidia.com/gpu": .number(Double(gpus))] }
        return Fixtures.pod(name) { $0["resources"] = resources }
    }

    private func waitForUsed(_ sim: SimProcess, _ resource: String, _ expected: String) async throws -> JSONValue? {
        var quota: JSONValue?
        _ = try await eventually(interval: .milliseconds(100)) {
            quota = try await RawHTTP.request(sim.url, "GET", "/api/v1/namespaces/default/resourcequotas/compute").json
            return quota?["status"]?["used"]?[resource]?.stringValue == expected
        }
        return quota
    }

    @Test func aPodPastTheQuotaIsForbiddenAsKubeSaysIt() async throws {
        let sim = try await SimProcess.start(["--nodes", "0"])
        let applied = try await sim.kubectl("apply", "-f", "-", stdin: Self.quota)
        #expect(applied.exitCode == 0, "\(applied)")

        for name in ["p1", "p2"] {
            let created = try await RawHTTP.request(sim.url, "POST", pods, json: pod(name))
            #expect(created.status == 201, "\(created)")
        }
        let refused = try await RawHTTP.request(sim.url, "POST", pods, json: pod("p3"))
        #expect(refused.status == 403, "\(refused)")
        #expect(refused.json?["kind"] == "Status")
        #expect(refused.json?["reason"] == "Forbidden")
        #expect(refused.json?["code"] == 403)
        let exceeded = "pods \"p3\" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=2, limited: pods=2"
        #expect(refused.json?["message"]?.stringValue == exceeded)
        #expect(refused.json?["details"]?["name"] == "p3")
        #expect(refused.json?["details"]?["kind"] == "pods")
        #expect(try await RawHTTP.request(sim.url, "GET", pods + "/p3").status == 404, "no pod is left behind")

        // The quota controller's view: hard as written, used summed over the pods.
        let quota = try await waitForUsed(sim, "pods", "2")
        #expect(quota?["status"]?["hard"]?["requests.memory"] == "1Gi")
        #expect(quota?["status"]?["used"]?["requests.cpu"] == "500m")
        #expect(quota?["status"]?["used"]?["requests.memory"] == "512Mi")
        #expect(quota?["status"]?["used"]?["requests.nvidia.com/gpu"] == "0")

        // A finished pod no longer counts.
        let failed = try await RawHTTP.request(sim.url, "PATCH", pods + "/p1/status", json: ["status": ["phase": "Failed"]],
                                               headers: ["Content-Type": "application/merge-patch+json"])
        #expect(failed.status == 200, "\(failed)")
        let admitted = try await RawHTTP.request(sim.url, "POST", pods, json: pod("p3"))
        #expect(admitted.status == 201, "\(admitted)")
    }

    @Test func theFirstExceededResourcesAreNamedWithTheirQuantities() async throws {
        let sim = try await SimProcess.start(["--nodes", "0"])
        #expect(try await sim.kubectl("apply", "-f", "-", stdin: Self.quota).exitCode == 0)
        #expect(try await RawHTTP.request(sim.url, "POST", pods, json: pod("a", cpu: "750m", gpus: 1)).status == 201)
        let refused = try await RawHTTP.request(sim.url, "POST", pods, json: pod("b", cpu: "500m", gpus: 1))
        #expect(refused.status == 403, "\(refused)")
        let expected = "pods \"b\" is forbidden: exceeded quota: compute, requested: "
            + "requests.cpu=500m,requests.nvidia.com/gpu=1, used: requests.cpu=750m,requests.nvidia.com/gpu=1, "
            + "limited: requests.cpu=1,requests.nvidia.com/gpu=1"
        #expect(refused.json?["message"]?.stringValue == expected)

        // A cpu quota makes every container state its cpu request.
        let unstated = try await RawHTTP.request(sim.url, "POST", pods, json: pod("c", cpu: nil))
        #expect(unstated.status == 403, "\(unstated)")
        let unstatedMessage = "pods \"c\" is forbidden: failed quota: compute: must specify requests.cpu for: main; requests.memory for: main"
        #expect(unstated.json?["message"]?.stringValue == unstatedMessage)
    }

    @Test func aQuotaLimitsOnlyItsNamespaceAndOnlyWhileItExists() async throws {
        let sim = try await SimProcess.start(["--nodes", "0"])
        #expect(try await sim.kubectl("create", "namespace", "other").exitCode == 0)
        #expect(try await sim.kubectl("apply", "-f", "-", stdin: Self.quota).exitCode == 0)
        for name in ["p1", "p2"] { #expect(try await RawHTTP.request(sim.url, "POST", pods, json: pod(name)).status == 201) }
        #expect(try await RawHTTP.request(sim.url, "POST", pods, json: pod("p3")).status == 403)

        let elsewhere = "/api/v1/namespaces/other/pods"
        for name in ["o1", "o2", "o3"] {
            let created = try await RawHTTP.request(sim.url, "POST", elsewhere, json: pod(name))
            #expect(created.status == 201, "a quota in default does not limit namespace other: \(created)")
        }

        #expect(try await sim.kubectl("delete", "resourcequota", "compute").exitCode == 0)
        let admitted = try await RawHTTP.request(sim.url, "POST", pods, json: pod("p3"))
        #expect(admitted.status == 201, "with the quota gone the third pod is admitted: \(admitted)")

        #expect(try await sim.kubectl("apply", "-f", "-", stdin: Self.quota).exitCode == 0)
        let refusedAgain = try await RawHTTP.request(sim.url, "POST", pods, json: pod("p4"))
        #expect(refusedAgain.status == 403, "a quota created again limits again: \(refusedAgain)")
        let quota = try await waitForUsed(sim, "pods", "3")
        #expect(quota?["status"]?["used"]?["pods"] == "3", "the new quota's status counts the pods already there")
    }
}
