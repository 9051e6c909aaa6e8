import CapstanAPI
import Foundation
import Testing
import TestSupport

/// Pods kube-apiserver refuses before storing them: its validation (422) and a validating
/// admission webhook's denial, worded as kube words them.
@Suite struct PodAdmissionTests {
    private let pods = "/api/v1/namespaces/default/pods"

    @Test func anInvalidLabelValueIsUnprocessable() async throws {
        let sim = try await SimProcess.start(["--nodes", "0"])
        let response = try await RawHTTP.request(sim.url, "POST", pods, json: Fixtures.pod("labelled", labels: ["team": "data science!"]))
        #expect(response.status == 422, "\(response)")
        #expect(response.json?["reason"] == "Invalid")
        let detail = "Invalid value: \"data science!\": a valid label must be an empty string or consist of alphanumeric "
            + "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
            + "'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
        #expect(response.json?["message"]?.stringValue == "Pod \"labelled\" is invalid: metadata.labels: \(detail)")
        #expect(response.json?["details"]?["kind"] == "Pod")
        #expect(response.json?["details"]?["name"] == "labelled")
        #expect(response.json?["details"]?["causes"] == [["reason": "FieldValueInvalid", "message": .string(detail), "field": "metadata.labels"]])

        var badKey = Fixtures.pod("keyed")
        badKey["metadata"]?["annotations"] = ["bad key": "x"]
        let key = try await RawHTTP.request(sim.url, "POST", pods, json: badKey)
        #expect(key.status == 422)
        #expect(key.json?["message"]?.stringValue?.hasPrefix(
            "Pod \"keyed\" is invalid: metadata.annotations: Invalid value: \"bad key\": name part must consist of alphanumeric characters") == true,
            "\(key)")
    }

    @Test func extendedResourcesNeedAnEqualLimit() async throws {
        let sim = try await SimProcess.start(["--nodes", "0"])
        let noLimit = Fixtures.pod("gpu") { $0["resources"] = ["requests": ["nvidia.com/gpu": "1"]] }
        let missing = try await RawHTTP.request(sim.url, "POST", pods, json: noLimit)
        #expect(missing.status == 422, "\(missing)")
        let required = "Pod \"gpu\" is invalid: spec.containers[0].resources.limits: Required value: "
            + "Limit must be set for non overcommitable resources"
        #expect(missing.json?["message"]?.stringValue == required)
        #expect(missing.json?["details"]?["causes"]?[0]?["reason"] == "FieldValueRequired")
        #expect(missing.json?["details"]?["causes"]?[0]?["field"] == "spec.containers[0].resources.limits")

        let unequal = Fixtures.pod("gpu") {
            $0["resources"] = ["requests": ["nvidia.com/gpu": "1"], "limits": ["nvidia.com/gpu": "2"]]
            $0["name"] = "Main"
        }
        let both = try await RawHTTP.request(sim.url, "POST", pods, json: unequal)
        #expect(both.status == 422, "\(both)")
        let expected = "Pod \"gpu\" is invalid: [spec.containers[0].name: Invalid value: \"Main\": a lowercase "
            + "RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an "
            + "alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?'), "
            + "spec.containers[0].resources.requests: Invalid value: \"1\": must be equal to nvidia.com/gpu limit of 2]"
        #expect(both.json?["message"]?.stringValue == expected)
        #expect(both.json?["details"]?["causes"]?.arrayValue?.count == 2)

        let limitOnly = Fixtures.pod("gpu") { $0["resources"] = ["limits": ["nvidia.com/gpu": 1]] }
        let created = try await RawHTTP.request(sim.url, "POST", pods, json: limitOnly)
        #expect(created.status == 201, "a limit alone is the request too: \(created)")
    }

    @Test func aWebhookDenialReadsAsKubeReportsIt() async throws {
        let sim = try await SimProcess.start(["--nodes", "0"])
        var explained = Fixtures.pod("denied")
        explained["metadata"]?["annotations"] = ["sim.capstan.dev/admission": "deny: images must come from registry.example.com"]
        let forbidden = try await RawHTTP.request(sim.url, "POST", pods, json: explained)
        #expect(forbidden.status == 403, "\(forbidden)")
        #expect(forbidden.json?["reason"] == "Forbidden")
        let denial = "admission webhook \"validate.sim.capstan.dev\" denied the request: images must come from registry.example.com"
        #expect(forbidden.json?["message"]?.stringValue == denial)

        var bare = Fixtures.pod("denied")
        bare["metadata"]?["annotations"] = ["sim.capstan.dev/admission": "deny"]
        let badRequest = try await RawHTTP.request(sim.url, "POST", pods, json: bare)
        #expect(badRequest.status == 400, "\(badRequest)")
        #expect(badRequest.json?["reason"] == nil)
        #expect(badRequest.json?["message"] == "admission webhook \"validate.sim.capstan.dev\" denied the request without explanation")
        #expect(try await RawHTTP.request(sim.url, "GET", pods + "/denied").status == 404)
    }

    @Test func oversizedRequestsAndObjectsAreRefusedAsKubeAndEtcdRefuseThem() async throws {
        let sim = try await SimProcess.start(["--nodes", "0"])
        func configMap(_ bytes: Int) -> JSONValue {
            ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "big"],
             "data": ["blob": .string(String(repeating: "x", count: bytes))]]
        }
        let tooLarge = try await RawHTTP.request(sim.url, "POST", "/api/v1/namespaces/default/configmaps", json: configMap(3_200_000))
        #expect(tooLarge.status == 413, "\(tooLarge)")
        #expect(tooLarge.json?["reason"] == "RequestEntityTooLarge")
        #expect(tooLarge.json?["message"] == "Request entity too large: limit is 3145728")

        let overEtcd = try await RawHTTP.request(sim.url, "POST", "/api/v1/namespaces/default/configmaps", json: configMap(2_000_000))
        #expect(overEtcd.status == 500, "\(overEtcd)")
        #expect(overEtcd.json?["message"] == "etcdserver: request is too large")
        #expect(overEtcd.json?["reason"] == nil)

        let fits = try await RawHTTP.request(sim.url, "POST", "/api/v1/namespaces/default/configmaps", json: configMap(1_000_000))
        #expect(fits.status == 201)
    }
}
