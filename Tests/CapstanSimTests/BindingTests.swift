import CapstanAPI
import Testing
import TestSupport

/// `POST pods/NAME/binding` as kube-apiserver answers it: one update of the pod, so a watcher
/// sees the pod arrive on its node already marked scheduled, in a single event.
@Suite struct BindingTests {
    private let pods = "/api/v1/namespaces/default/pods"

    private func binding(_ name: String, node: String, annotations: JSONValue? = nil) -> JSONValue {
        var metadata: JSONValue = ["name": .string(name)]
        if let annotations { metadata["annotations"] = annotations }
        return ["apiVersion": "v1", "kind": "Binding", "metadata": metadata,
                "target": ["apiVersion": "v1", "kind": "Node", "name": .string(node)]]
    }

    @Test func aBindingIsOneEventWithTheNodeTheConditionAndTheAnnotations() async throws {
        let sim = try await SimProcess.start(["--nodes", "0"])
        let created = try #require(try await RawHTTP.request(sim.url, "POST", pods, json: Fixtures.pod("b1")).json)
        let since = try #require(created["metadata"]?["resourceVersion"]?.stringValue)

        let bound = try await RawHTTP.request(sim.url, "POST", "\(pods)/b1/binding",
                                              json: binding("b1", node: "node-1", annotations: ["placed-by": "test"]))
        #expect(bound.status == 201, "\(bound)")
        #expect(bound.json?["status"] == "Success")

        let watched = try await RawHTTP.request(sim.url, "GET", pods + "?watch=true&resourceVersion=\(since)&timeoutSeconds=1")
        let events = watched.text.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }
        #expect(events.count == 1, "one MODIFIED event for the binding: \(watched.text)")
        let pod = try #require(events.first?["object"])
        #expect(events.first?["type"] == "MODIFIED")
        #expect(pod["spec"]?["nodeName"] == "node-1")
        #expect(pod["metadata"]?["annotations"]?["placed-by"] == "test")
        let scheduled = pod["status"]?["conditions"]?.arrayValue?.filter { $0["type"] == "PodScheduled" } ?? []
        #expect(scheduled.count == 1 && scheduled.first?["status"] == "True", "\(pod["status"] ?? nil)")
        #expect(scheduled.first?["lastTransitionTime"]?.stringValue != nil)
        #expect(pod["metadata"]?["generation"] == created["metadata"]?["generation"], "a binding does not change the pod's generation")
    }

    @Test func aBoundOrTerminatingPodIsNotBoundAgain() async throws {
        let sim = try await SimProcess.start(["--nodes", "0"])
        _ = try await RawHTTP.request(sim.url, "POST", pods, json: Fixtures.pod("b2"))
        _ = try await RawHTTP.request(sim.url, "POST", "\(pods)/b2/binding", json: binding("b2", node: "node-1"))
        let again = try await RawHTTP.request(sim.url, "POST", "\(pods)/b2/binding", json: binding("b2", node: "node-2"))
        #expect(again.status == 409, "\(again)")
        #expect(again.json?["message"] == "Operation cannot be fulfilled on pods \"b2\": pod b2 is already assigned to node \"node-1\"")

        let missingTarget = try await RawHTTP.request(sim.url, "POST", "\(pods)/b2/binding", json: binding("b2", node: ""))
        #expect(missingTarget.status == 422, "\(missingTarget)")

        let absent = try await RawHTTP.request(sim.url, "POST", "\(pods)/nobody/binding", json: binding("nobody", node: "node-1"))
        #expect(absent.status == 404, "\(absent)")
        #expect(absent.json?["message"] == "pods \"nobody\" not found")
    }

    @Test func aDryRunBindingChangesNothing() async throws {
        let sim = try await SimProcess.start(["--nodes", "0"])
        _ = try await RawHTTP.request(sim.url, "POST", pods, json: Fixtures.pod("b3"))
        let dry = try await RawHTTP.request(sim.url, "POST", "\(pods)/b3/binding?dryRun=All", json: binding("b3", node: "node-1"))
        #expect(dry.status == 201, "\(dry)")
        let pod = try await RawHTTP.request(sim.url, "GET", "\(pods)/b3")
        #expect(pod.json?["spec"]?["nodeName"] == nil, "\(pod.text)")
    }
}
