import CapstanAPI
import Foundation
import Testing
import TestSupport

/// kube's garbage collector as the sim imitates it: what happens to an object whose owners
/// go away (ownerReferences), for each deletion propagation policy.
@Suite struct GarbageCollectionTests {
    private let configMaps = "/api/v1/namespaces/default/configmaps"

    private func configMap(_ name: String, ownedBy owners: [(name: String, uid: String)] = []) -> JSONValue {
        var metadata: JSONValue = ["name": .string(name)]
        if !owners.isEmpty {
            metadata["ownerReferences"] = .array(owners.map { owner in
                ["apiVersion": "v1", "kind": "ConfigMap", "name": .string(owner.name), "uid": .string(owner.uid)]
            })
        }
        return ["apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata]
    }

    private func create(_ sim: SimProcess, _ object: JSONValue) async throws -> String {
        let created = try await RawHTTP.request(sim.url, "POST", configMaps, json: object)
        try #require(created.status == 201, "\(created)")
        return try #require(created.json?["metadata"]?["uid"]?.stringValue)
    }

    private func status(_ sim: SimProcess, _ name: String) async throws -> Int {
        try await RawHTTP.request(sim.url, "GET", configMaps + "/" + name).status
    }

    @Test func backgroundDeletionCollectsTheDependents() async throws {
        let sim = try await SimProcess.start()
        let uid = try await create(sim, configMap("parent"))
        _ = try await create(sim, configMap("child", ownedBy: [("parent", uid)]))
        #expect(try await RawHTTP.request(sim.url, "DELETE", configMaps + "/parent").status == 200)
        #expect(try await eventually(interval: .milliseconds(50)) { try await status(sim, "child") == 404 },
                "the dependent of a deleted owner is collected")
        try await sim.stop()
    }

    @Test func orphanDeletionKeepsTheDependentsWithoutTheirReference() async throws {
        let sim = try await SimProcess.start()
        let uid = try await create(sim, configMap("parent"))
        _ = try await create(sim, configMap("child", ownedBy: [("parent", uid)]))
        let deleted = try await RawHTTP.request(sim.url, "DELETE", configMaps + "/parent", json: ["propagationPolicy": "Orphan"])
        #expect(deleted.status == 200, "\(deleted)")
        #expect(try await eventually(interval: .milliseconds(50)) { try await status(sim, "parent") == 404 },
                "the owner goes once its dependents are orphaned")
        let child = try await RawHTTP.request(sim.url, "GET", configMaps + "/child")
        #expect(child.status == 200, "\(child)")
        #expect(child.json?["metadata"]?["ownerReferences"] == nil, "\(child)")
        try await sim.stop()
    }

    @Test func anObjectCreatedWithOnlyAbsentOwnersIsCollected() async throws {
        let sim = try await SimProcess.start()
        _ = try await create(sim, configMap("late", ownedBy: [("gone", "00000000-0000-0000-0000-000000000000")]))
        #expect(try await eventually(interval: .milliseconds(50)) { try await status(sim, "late") == 404 })
        try await sim.stop()
    }

    @Test func aDependentWithAnotherOwnerLosesOnlyTheAbsentReference() async throws {
        let sim = try await SimProcess.start()
        let first = try await create(sim, configMap("first"))
        let second = try await create(sim, configMap("second"))
        _ = try await create(sim, configMap("shared", ownedBy: [("first", first), ("second", second)]))
        #expect(try await RawHTTP.request(sim.url, "DELETE", configMaps + "/first").status == 200)
        let remaining = try await poll(interval: .milliseconds(50)) { () async throws -> [JSONValue]? in
            let shared = try await RawHTTP.request(sim.url, "GET", configMaps + "/shared").json
            let references = shared?["metadata"]?["ownerReferences"]?.arrayValue ?? []
            return references.count == 1 ? references : nil
        }
        #expect(remaining?.first?["uid"]?.stringValue == second, "\(String(describing: remaining))")
        #expect(try await status(sim, "shared") == 200, "an object with an owner left is kept")
        try await sim.stop()
    }
}
