import CapstanAPI
import CapstanKube
import Testing

/// The client against `capstan sim` as a process: every call goes over HTTP.
@Suite struct ClientCRUDTests {
    @Test func createGetUpdatePatchDelete() async throws {
        try await withSimCluster { cluster in
            let client = cluster.client

            let created = try await client.create(.configMaps, namespace: "default", object: configMap("settings", data: ["a": "1"]))
            let firstVersion = try #require(created.kubeMeta.resourceVersion)
            #expect(created.kubeMeta.uid?.isEmpty == false)

            let fetched = try await client.get(.configMaps, namespace: "default", name: "settings")
            #expect(fetched["data"]?["a"] == "1")

            var changed = fetched
            changed["data"] = ["a": "2"]
            let updated = try await client.update(.configMaps, namespace: "default", object: changed)
            #expect(updated["data"]?["a"] == "2")
            #expect(updated.kubeMeta.resourceVersion != firstVersion)

            // Writing again from the stale copy is refused: optimistic concurrency.
            var stale = fetched
            stale["data"] = ["a": "stale"]
            let conflict = await #expect(throws: KubeError.self) { try await client.update(.configMaps, namespace: "default", object: stale) }
            #expect(conflict?.isConflict == true, "\(String(describing: conflict))")
            #expect(conflict?.code == 409)

            let duplicate = await #expect(throws: KubeError.self) {
                try await client.create(.configMaps, namespace: "default", object: configMap("settings"))
            }
            #expect(duplicate?.isAlreadyExists == true)

            let merged = try await client.patch(.configMaps, namespace: "default", name: "settings", patch: .merge(["data": ["b": "x"]]))
            #expect(merged["data"] == ["a": "2", "b": "x"])

            let jsonPatched = try await client.patch(.configMaps, namespace: "default", name: "settings", patch: .json([
                ["op": "test", "path": "/data/b", "value": "x"],
                ["op": "replace", "path": "/data/b", "value": "y"],
            ]))
            #expect(jsonPatched["data"]?["b"] == "y")

            let failedTest = await #expect(throws: KubeError.self) {
                try await client.patch(.configMaps, namespace: "default", name: "settings", patch: .json([
                    ["op": "test", "path": "/data/b", "value": "not-y"],
                ]))
            }
            #expect(failedTest?.code == 422 || failedTest?.code == 409, "\(String(describing: failedTest))")

            let strategic = try await client.patch(.configMaps, namespace: "default", name: "settings",
                                                   patch: .strategicMerge(["metadata": ["labels": ["tier": "gold"]]]))
            #expect(strategic.kubeMeta.labels == ["tier": "gold"])

            _ = try await client.delete(.configMaps, namespace: "default", name: "settings", options: DeleteOptions(propagationPolicy: .background))
            let gone = await #expect(throws: KubeError.self) { try await client.get(.configMaps, namespace: "default", name: "settings") }
            #expect(gone?.isNotFound == true)
            #expect(gone?.description.contains("get configmaps default/settings") == true, "\(String(describing: gone))")
            #expect(try await client.getIfPresent(.configMaps, namespace: "default", name: "settings") == nil)
        }
    }

    @Test func deletePreconditionsAreChecked() async throws {
        try await withSimCluster { cluster in
            let created = try await cluster.client.create(.configMaps, namespace: "default", object: configMap("guarded"))
            let wrongUID = await #expect(throws: KubeError.self) {
                try await cluster.client.delete(.configMaps, namespace: "default", name: "guarded", options: DeleteOptions(preconditionUID: "not-the-uid"))
            }
            #expect(wrongUID?.isConflict == true, "\(String(describing: wrongUID))")
            _ = try await cluster.client.delete(.configMaps, namespace: "default", name: "guarded",
                                                options: DeleteOptions(preconditionUID: created.kubeMeta.uid))
            #expect(try await cluster.client.getIfPresent(.configMaps, namespace: "default", name: "guarded") == nil)
        }
    }

    @Test func statusSubresourceIsWrittenSeparately() async throws {
        try await withSimCluster { cluster in
            let client = cluster.client
            _ = try await client.create(.pods, namespace: "default", object: pod("p1"))

            let patched = try await client.patchStatus(.pods, namespace: "default", name: "p1",
                                                       patch: .merge(["status": ["phase": "Running", "message": "from status"]]))
            #expect(patched["status"]?["message"] == "from status")

            var current = try await client.get(.pods, namespace: "default", name: "p1")
            current["status"]?["message"] = "via update"
            let updated = try await client.updateStatus(.pods, namespace: "default", object: current)
            #expect(updated["status"]?["message"] == "via update")

            // A write to the main resource leaves the status alone.
            var main = updated
            main["status"]?["message"] = "ignored"
            main["metadata"]?["labels"] = ["changed": "yes"]
            let afterMain = try await client.update(.pods, namespace: "default", object: main)
            #expect(afterMain.kubeMeta.labels == ["changed": "yes"])
            #expect(afterMain["status"]?["message"] == "via update")
        }
    }

    @Test func listsWithSelectorsAndPages() async throws {
        try await withSimCluster { cluster in
            let client = cluster.client
            for i in 0..<25 {
                _ = try await client.create(.configMaps, namespace: "default",
                                            object: configMap("item-\(i)", labels: ["parity": i % 2 == 0 ? "even" : "odd"]))
            }
            var names: [String] = []
            var pages = 0
            var options = ListOptions(labelSelector: "parity in (even,odd)", limit: 10)
            repeat {
                let page = try await client.list(.configMaps, namespace: "default", options: options)
                pages += 1
                #expect(page.items.count <= 10)
                names += page.items.compactMap(\.kubeMeta.name)
                options.continueToken = page.continueToken
            } while options.continueToken != nil
            #expect(pages == 3)
            #expect(Set(names) == Set((0..<25).map { "item-\($0)" }))
            #expect(names.count == 25)

            let even = try await client.listAll(.configMaps, namespace: "default", options: ListOptions(labelSelector: "parity=even"), pageSize: 4)
            #expect(even.items.count == 13)
            #expect(!even.resourceVersion.isEmpty)
            let byField = try await client.list(.configMaps, namespace: "default", options: ListOptions(fieldSelector: "metadata.name=item-7"))
            #expect(byField.items.compactMap(\.kubeMeta.name) == ["item-7"])
            let everywhere = try await client.listAll(.configMaps, namespace: nil, options: ListOptions(labelSelector: "parity"))
            #expect(everywhere.items.count == 25)
        }
    }

    @Test func unknownResourceIsNotFound() async throws {
        try await withSimCluster { cluster in
            let error = await #expect(throws: KubeError.self) { try await cluster.client.list(.workflows, namespace: "default") }
            #expect(error?.isNotFound == true, "\(String(describing: error))")
        }
    }
}

/// A typed mirror of a ConfigMap, to show Codable types going through the untyped client.
private struct TypedConfigMap: Codable, Equatable {
    struct Metadata: Codable, Equatable {
        var name: String
        var namespace: String?
        var resourceVersion: String?
    }

    var apiVersion = "v1"
    var kind = "ConfigMap"
    var metadata: Metadata
    var data: [String: String]
}

@Suite struct TypedAccessTests {
    @Test func codableTypesRoundTripThroughTheClient() async throws {
        try await withSimCluster { cluster in
            let created = try await cluster.client.create(.configMaps, namespace: "default",
                                                          TypedConfigMap(metadata: .init(name: "typed"), data: ["k": "v"]))
            #expect(created.metadata.resourceVersion != nil)
            #expect(created.metadata.namespace == "default")
            let fetched = try await cluster.client.get(.configMaps, namespace: "default", name: "typed", as: TypedConfigMap.self)
            #expect(fetched == created)
            let all = try await cluster.client.listAll(.configMaps, namespace: "default", as: TypedConfigMap.self)
            #expect(all.map(\.metadata.name) == ["typed"])
        }
    }

    @Test func decodingErrorsNameTheField() throws {
        let object: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": 5], "data": [:]]
        let error = #expect(throws: KubeError.self) { try object.decoded(as: TypedConfigMap.self) }
        #expect(error?.message.contains("metadata.name") == true, "\(String(describing: error))")
    }
}
