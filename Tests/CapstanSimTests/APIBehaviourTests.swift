import CapstanAPI
import Foundation
import Testing
import TestSupport

/// Raw HTTP against `capstan sim` as a process: the status codes and `Status` bodies
/// kube-apiserver sends, and the semantics informers and controllers rely on.
@Suite struct APIBehaviourTests {
    private let workflows = "/apis/capstan.dev/v1alpha1/namespaces/default/workflows"
    private let pods = "/api/v1/namespaces/default/pods"

    private func startWithCRD() async throws -> SimProcess {
        let sim = try await SimProcess.start()
        let applied = try await sim.kubectl("apply", "-f", "-", stdin: Fixtures.workflowCRD)
        try #require(applied.exitCode == 0, "\(applied)")
        return sim
    }

    @Test func malformedBodyIsBadRequest() async throws {
        let sim = try await SimProcess.start()
        let response = try await RawHTTP.request(sim.url, "POST", pods, body: Array("{\"kind\":".utf8),
                                                 headers: ["Content-Type": "application/json"])
        #expect(response.status == 400, "\(response)")
        #expect(response.json?["kind"] == "Status")
        #expect(response.json?["reason"] == "BadRequest")
        #expect(response.json?["code"] == 400)
    }

    @Test func unknownResourceIsNotFound() async throws {
        let sim = try await SimProcess.start()
        let response = try await RawHTTP.request(sim.url, "GET", "/apis/capstan.dev/v1alpha1/namespaces/default/workflows")
        #expect(response.status == 404, "\(response)")
        #expect(response.json?["reason"] == "NotFound")
        let missing = try await RawHTTP.request(sim.url, "GET", pods + "/nope")
        #expect(missing.status == 404)
        #expect(missing.json?["message"] == "pods \"nope\" not found")
        #expect(missing.json?["details"]?["name"] == "nope")
    }

    @Test func staleResourceVersionIsConflict() async throws {
        let sim = try await startWithCRD()
        let created = try await RawHTTP.request(sim.url, "POST", workflows, json: Fixtures.workflowJSON("c1"))
        #expect(created.status == 201, "\(created)")
        var stale = try #require(created.json)
        let patch = try await RawHTTP.request(sim.url, "PATCH", workflows + "/c1", json: ["spec": ["parallelism": 2]],
                                              headers: ["Content-Type": "application/merge-patch+json"])
        #expect(patch.status == 200, "\(patch)")
        stale["spec"]?["parallelism"] = 5
        let conflict = try await RawHTTP.request(sim.url, "PUT", workflows + "/c1", json: stale)
        #expect(conflict.status == 409, "\(conflict)")
        #expect(conflict.json?["reason"] == "Conflict")
        #expect(conflict.json?["message"] == "Operation cannot be fulfilled on workflows.capstan.dev \"c1\": the object has been modified; please apply your changes to the latest version and try again")
        #expect(conflict.json?["details"]?["group"] == "capstan.dev")

        let duplicate = try await RawHTTP.request(sim.url, "POST", workflows, json: Fixtures.workflowJSON("c1"))
        #expect(duplicate.status == 409)
        #expect(duplicate.json?["reason"] == "AlreadyExists")
        #expect(duplicate.json?["message"] == "workflows.capstan.dev \"c1\" already exists")

        var unconditional = try #require(patch.json)
        unconditional["metadata"]?["resourceVersion"] = nil
        let refused = try await RawHTTP.request(sim.url, "PUT", workflows + "/c1", json: unconditional)
        #expect(refused.status == 422, "custom resources need a resourceVersion to update: \(refused)")
    }

    @Test func generateNameAndMissingName() async throws {
        let sim = try await SimProcess.start()
        var pod = Fixtures.pod("")
        pod["metadata"]?["name"] = nil
        pod["metadata"]?["generateName"] = "task-"
        let created = try await RawHTTP.request(sim.url, "POST", pods, json: pod)
        #expect(created.status == 201, "\(created)")
        let name = created.json?["metadata"]?["name"]?.stringValue ?? ""
        #expect(name.hasPrefix("task-") && name.count == 10, "\(name)")
        pod["metadata"]?["generateName"] = nil
        let invalid = try await RawHTTP.request(sim.url, "POST", pods, json: pod)
        #expect(invalid.status == 422)
        #expect(invalid.json?["reason"] == "Invalid")
    }

    @Test func generationCountsSpecChangesOnlyAndStatusIsItsOwnSubresource() async throws {
        let sim = try await startWithCRD()
        var workflow = Fixtures.workflowJSON("g1")
        workflow["status"] = ["phase": "Succeeded"]
        let created = try #require(try await RawHTTP.request(sim.url, "POST", workflows, json: workflow).json)
        #expect(created["metadata"]?["generation"] == 1)
        #expect(created["status"] == nil, "create drops status when status is a subresource")

        let merge = ["Content-Type": "application/merge-patch+json"]
        let labeled = try await RawHTTP.request(sim.url, "PATCH", workflows + "/g1",
                                                json: ["metadata": ["labels": ["a": "b"]], "status": ["phase": "Failed"]],
                                                headers: merge)
        #expect(labeled.json?["metadata"]?["generation"] == 1)
        #expect(labeled.json?["status"] == nil, "the main resource ignores status")

        let status = try await RawHTTP.request(sim.url, "PATCH", workflows + "/g1/status",
                                               json: ["status": ["phase": "Running"], "spec": ["parallelism": 9]],
                                               headers: merge)
        #expect(status.status == 200, "\(status)")
        #expect(status.json?["status"]?["phase"] == "Running")
        #expect(status.json?["spec"]?["parallelism"] == nil, "the status subresource ignores spec")
        #expect(status.json?["metadata"]?["generation"] == 1)

        let spec = try await RawHTTP.request(sim.url, "PATCH", workflows + "/g1", json: ["spec": ["parallelism": 3]],
                                             headers: merge)
        #expect(spec.json?["metadata"]?["generation"] == 2)
        #expect(spec.json?["status"]?["phase"] == "Running")

        var put = try #require(spec.json)
        put["status"] = ["phase": "Aborted"]
        let updatedStatus = try await RawHTTP.request(sim.url, "PUT", workflows + "/g1/status", json: put)
        #expect(updatedStatus.json?["status"]?["phase"] == "Aborted", "\(updatedStatus)")
    }

    @Test func finalizersHoldDeletionUntilRemoved() async throws {
        let sim = try await startWithCRD()
        var workflow = Fixtures.workflowJSON("f1")
        workflow["metadata"]?["finalizers"] = ["capstan.dev/cleanup"]
        _ = try await RawHTTP.request(sim.url, "POST", workflows, json: workflow)
        let deleted = try await RawHTTP.request(sim.url, "DELETE", workflows + "/f1")
        #expect(deleted.status == 200)
        let terminating = try await RawHTTP.request(sim.url, "GET", workflows + "/f1")
        #expect(terminating.status == 200)
        #expect(terminating.json?["metadata"]?["deletionTimestamp"]?.stringValue != nil)
        #expect(terminating.json?["metadata"]?["generation"] == 2)

        let adding = try await RawHTTP.request(sim.url, "PATCH", workflows + "/f1",
                                               json: ["metadata": ["finalizers": ["capstan.dev/cleanup", "other"]]],
                                               headers: ["Content-Type": "application/merge-patch+json"])
        #expect(adding.status == 422, "no finalizer may be added while terminating: \(adding)")

        let removed = try await RawHTTP.request(sim.url, "PATCH", workflows + "/f1",
                                                json: [["op": "remove", "path": "/metadata/finalizers"]],
                                                headers: ["Content-Type": "application/json-patch+json"])
        #expect(removed.status == 200, "\(removed)")
        let gone = try await RawHTTP.request(sim.url, "GET", workflows + "/f1")
        #expect(gone.status == 404)
    }

    @Test func foregroundDeletionWaitsForDependents() async throws {
        let sim = try await startWithCRD()
        let owner = try #require(try await RawHTTP.request(sim.url, "POST", workflows, json: Fixtures.workflowJSON("fg")).json)
        let uid = try #require(owner["metadata"]?["uid"]?.stringValue)
        var pod = Fixtures.pod("fg-pod", owner: ("fg", uid))
        pod["metadata"]?["finalizers"] = ["test/hold"]
        _ = try await RawHTTP.request(sim.url, "POST", pods, json: pod)
        _ = try await RawHTTP.request(sim.url, "DELETE", workflows + "/fg", json: ["propagationPolicy": "Foreground"])
        try await Task.sleep(for: .milliseconds(300))
        let waiting = try await RawHTTP.request(sim.url, "GET", workflows + "/fg")
        #expect(waiting.json?["metadata"]?["finalizers"] == ["foregroundDeletion"], "\(waiting)")
        _ = try await RawHTTP.request(sim.url, "PATCH", pods + "/fg-pod", json: ["metadata": ["finalizers": nil]],
                                      headers: ["Content-Type": "application/merge-patch+json"])
        #expect(try await eventually(interval: .milliseconds(100)) {
            try await RawHTTP.request(sim.url, "GET", workflows + "/fg").status == 404
        })
    }

    @Test func pagingWalksEveryObjectOnce() async throws {
        // The API server alone: kubelets would run the pods and change their phase.
        let sim = try await SimProcess.start(["--nodes", "0"])
        for index in 0..<25 {
            _ = try await RawHTTP.request(sim.url, "POST", pods, json: Fixtures.pod("p\(index)", labels: ["group": index % 2 == 0 ? "even" : "odd"]))
        }
        var names: [String] = []
        var token = ""
        var versions: Set<String> = []
        repeat {
            let page = try await RawHTTP.request(sim.url, "GET", pods + "?limit=10&continue=\(token)")
            let list = try #require(page.json)
            names += (list["items"]?.arrayValue ?? []).compactMap { $0["metadata"]?["name"]?.stringValue }
            versions.insert(list["metadata"]?["resourceVersion"]?.stringValue ?? "")
            token = list["metadata"]?["continue"]?.stringValue ?? ""
            // Creating while paging must not shift the walk.
            if names.count == 10 { _ = try await RawHTTP.request(sim.url, "POST", pods, json: Fixtures.pod("zz-late")) }
        } while !token.isEmpty
        #expect(names.count == 26)
        #expect(Set(names).count == names.count)
        #expect(names == names.sorted())
        #expect(versions.count == 1, "every page reports the snapshot's resourceVersion")

        let selected = try await RawHTTP.request(sim.url, "GET", pods + "?labelSelector=group%20in%20(odd)")
        #expect(selected.json?["items"]?.arrayValue?.count == 12)
        let notEven = try await RawHTTP.request(sim.url, "GET", pods + "?labelSelector=group!%3Deven,!missing")
        #expect(notEven.json?["items"]?.arrayValue?.count == 13, "odd ones and zz-late, which has no group label")
        let byName = try await RawHTTP.request(sim.url, "GET", pods + "?fieldSelector=metadata.name%3Dp3")
        #expect(byName.json?["items"]?.arrayValue?.count == 1)
        let byPhase = try await RawHTTP.request(sim.url, "GET", "/api/v1/pods?fieldSelector=status.phase%3DPending")
        #expect(byPhase.json?["items"]?.arrayValue?.count == 26)
        let unsupported = try await RawHTTP.request(sim.url, "GET", pods + "?fieldSelector=spec.image%3Dx")
        #expect(unsupported.status == 400)
    }

    @Test func watchResumesFromAResourceVersionAndExpiresOldOnes() async throws {
        let sim = try await SimProcess.start(["--watch-history", "5", "--nodes", "0"])
        let first = try #require(try await RawHTTP.request(sim.url, "POST", pods, json: Fixtures.pod("w0")).json)
        let since = try #require(first["metadata"]?["resourceVersion"]?.stringValue)
        for index in 1...3 { _ = try await RawHTTP.request(sim.url, "POST", pods, json: Fixtures.pod("w\(index)")) }

        let resumed = try await RawHTTP.request(sim.url, "GET", pods + "?watch=true&resourceVersion=\(since)&timeoutSeconds=1")
        let events = resumed.text.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }
        #expect(events.map { $0["object"]?["metadata"]?["name"]?.stringValue ?? "" } == ["w1", "w2", "w3"], "\(resumed)")
        #expect(events.allSatisfy { $0["type"] == "ADDED" })
        #expect(resumed.headers["transfer-encoding"] == "chunked")

        for index in 4...12 { _ = try await RawHTTP.request(sim.url, "POST", pods, json: Fixtures.pod("w\(index)")) }
        let expired = try await RawHTTP.request(sim.url, "GET", pods + "?watch=true&resourceVersion=\(since)&timeoutSeconds=1")
        let error = try #require(expired.text.split(separator: "\n").first.flatMap { try? JSONValue.parse(String($0)) })
        #expect(error["type"] == "ERROR", "\(expired)")
        #expect(error["object"]?["code"] == 410)
        #expect(error["object"]?["reason"] == "Expired")
    }

    @Test func watchStreamsLiveChangesAndBookmarks() async throws {
        let sim = try await SimProcess.start(["--bookmark-interval", "1", "--nodes", "0"])
        _ = try await RawHTTP.request(sim.url, "POST", pods, json: Fixtures.pod("live", labels: ["app": "x"]))
        let connection = try await Blocking.run {
            try RawHTTPConnection(sim.url, method: "GET",
                                  path: "/api/v1/watch/namespaces/default/pods?labelSelector=app%3Dx&allowWatchBookmarks=true&timeoutSeconds=60")
        }
        let initial = await Blocking.run { connection.nextLine() }
        #expect(initial?["type"] == "ADDED")
        _ = try await RawHTTP.request(sim.url, "PATCH", pods + "/live", json: ["metadata": ["labels": ["app": "y"]]],
                                      headers: ["Content-Type": "application/merge-patch+json"])
        // Bookmarks arrive every second and may come before the change under load: skip them.
        var left = await Blocking.run { connection.nextLine() }
        while left?["type"] == "BOOKMARK" { left = await Blocking.run { connection.nextLine() } }
        #expect(left?["type"] == "DELETED", "leaving the selection reads as a deletion: \(String(describing: left))")
        let bookmark = await Blocking.run { connection.nextLine() }
        #expect(bookmark?["type"] == "BOOKMARK")
        #expect(bookmark?["object"]?["kind"] == "Pod")
        #expect(Int(bookmark?["object"]?["metadata"]?["resourceVersion"]?.stringValue ?? "") != nil)
    }

    @Test func faultRateFailsRequestsWithStatusObjects() async throws {
        let sim = try await SimProcess.start(["--fault-rate", "0.5"])
        var codes: [Int] = []
        for _ in 0..<40 {
            let response = try await RawHTTP.request(sim.url, "GET", pods)
            codes.append(response.status)
            if response.status == 429 { #expect(response.headers["retry-after"] == "1") }
            if response.status != 200 { #expect(response.json?["kind"] == "Status") }
        }
        #expect(codes.contains(200) && codes.contains(429) && codes.contains(500), "\(codes)")
        let discovery = try await RawHTTP.request(sim.url, "GET", "/api/v1")
        #expect(discovery.status == 200, "discovery never fails")
    }
}
