import Testing
import CapstanAPI
@testable import CapstanEngine

/// `map.workers` (SPEC §15): a map's items run in N long-lived worker pods instead of a pod each.
@Suite struct EngineMapWorkersTests {
    static let tenItems = """
        defaults: {image: busybox}
        nodes:
          - name: m
            map: {over: [a, b, c, d, e, f, g, h, i, j], workers: {replicas: 3}}
            command: [train, "{{ item }}"]
            args: ["--index={{ index }}"]
            env: [{name: MODE, value: fast}]
            timeout: 10m
        """

    // MARK: Start

    @Test func theFirstStepCreatesTheWorkersAndDispatchesTwoItemsEach() throws {
        var h = try WorkerHarness(Self.tenItems)
        let result = h.reconcile()

        // Exactly three worker pods, and no pod of an item.
        #expect(h.created.count == 3)
        #expect(h.created.allSatisfy(h.isWorker))
        #expect(h.created.map(\.name) == (0..<3).map { h.workerName("m", slot: $0) })
        #expect(h.created.map(\.name).allSatisfy { $0.hasPrefix("wf-m-") })
        #expect(h.created[0].name.hasSuffix("-w0") && h.created[1].name.hasSuffix("-w1") && h.created[2].name.hasSuffix("-w2"))
        #expect(!result.actions.contains { if case .createPod(let r) = $0 { r.index != nil } else { false } })

        // A worker pod: `capstan worker` installed by an init container, the dispatch URL and its token.
        let worker = h.created[1]
        let spec = try #require(worker.manifest["spec"])
        let container = try #require(spec["containers"]?[0])
        #expect(worker.manifest["metadata"]?["name"]?.stringValue == worker.name)
        #expect(worker.manifest["metadata"]?["labels"]?[PodLabels.worker] == "1")
        #expect(worker.manifest["metadata"]?["labels"]?[PodLabels.index] == nil)
        #expect(spec["initContainers"]?[0]?["name"] == "capstan-binary")
        #expect(spec["initContainers"]?[0]?["image"]?.stringValue == h.engine.config.workerImage)
        #expect(container["image"] == "busybox")
        #expect(container["command"] == ["/capstan/capstan", "worker"])
        #expect(spec["activeDeadlineSeconds"] == nil, "the pod runs many items; each keeps the node's timeout")
        let env = container["env"]?.environment ?? [:]
        #expect(env["CAPSTAN_DISPATCH_URL"] == h.engine.config.dispatchURL)
        #expect(env["CAPSTAN_WORKER_POD"] == worker.name)
        #expect(env["CAPSTAN_WORKFLOW_UID"] == "uid-1")
        #expect(env["CAPSTAN_WORKER_TOKEN"] == WorkerTokens.token(
            key: h.engine.config.workerKey, namespace: "ml", workflow: "wf", uid: "uid-1", node: "m", pod: worker.name))
        #expect(env["CAPSTAN_WORKER_TOKEN"] != WorkerTokens.token(
            key: h.engine.config.workerKey, namespace: "ml", workflow: "wf", uid: "uid-1", node: "m", pod: h.created[0].name))
        #expect(env["MODE"] == nil, "the node's literal env goes with each item's dispatch")
        for perItem in ["CAPSTAN_INDEX", "CAPSTAN_ATTEMPT", "CAPSTAN_INPUTS", "CAPSTAN_OUTPUTS_URI", "CAPSTAN_RAW_DATA_URI"] {
            #expect(env[perItem] == nil, "\(perItem) is the worker's to set per item")
        }

        // The items: two per worker, handed out while the worker pods are still Pending.
        #expect(h.workerPods.allSatisfy { $0.phase == .pending })
        #expect(h.dispatched.count == 6)
        #expect(h.dispatched.map(\.index) == Array(0..<6))
        let third = h.dispatched[2]
        #expect(third.name == h.itemName("m", index: 2, attempt: 0))
        #expect(third.node == "m" && third.attempt == 0)
        #expect(third.arguments == ["train", "c", "--index=2"])
        #expect(third.env["CAPSTAN_INDEX"] == "2")
        #expect(third.env["CAPSTAN_ATTEMPT"] == "0")
        #expect(third.env["MODE"] == "fast")
        #expect(third.env["CAPSTAN_OUTPUTS_FILE"] == nil)
        #expect(third.item.timeoutSeconds == 600)
        #expect(h.node("m").phase == .running)
        #expect(h.node("m").map?.running == 6)

        // The next look, nothing having changed, hands out nothing more and creates nothing.
        h.reconcile()
        #expect(h.dispatched.count == 6)
        #expect(h.created.count == 3)
    }

    @Test func concurrencyBelowTwoPerWorkerBoundsTheItemsHandedOut() throws {
        var h = try WorkerHarness("""
            defaults: {image: busybox}
            nodes: [{name: m, map: {over: [1, 2, 3, 4, 5, 6, 7, 8], concurrency: 4, workers: {replicas: 3}}}]
            """)
        h.reconcile()
        #expect(h.dispatched.count == 4)
        #expect(h.node("m").map?.running == 4)
    }

    /// With `concurrency: 2` at most two items are out at once, so a third worker pod would
    /// never get one: the pool should not start more workers than items may run.
    @Test func concurrencyBelowReplicasStartsNoWorkerThatCanNeverRunAnItem() throws {
        var h = try WorkerHarness("""
            defaults: {image: busybox}
            nodes: [{name: m, map: {over: [1, 2, 3, 4, 5, 6, 7, 8], concurrency: 2, workers: {replicas: 3}}}]
            """)
        h.reconcile()
        #expect(h.dispatched.count == 2)
        #expect(h.createdWorkers.count <= 2, "created \(h.createdWorkers.map(\.name)) for at most 2 items at once")
    }

    // MARK: Running to the end

    @Test func itemsRunOnTheWorkersToSuccessAndTheWorkersGoWithTheNode() throws {
        var h = try WorkerHarness(Self.tenItems)
        #expect(h.runToCompletion().phase == .succeeded)
        #expect(h.node("m").phase == .succeeded)
        #expect(h.node("m").map?.succeeded == 10)
        #expect(h.node("m").message == "10 of 10 items succeeded")
        #expect(h.node("m").failures.isEmpty)
        // Every item ran once, on a worker; no pod was created for any of them.
        #expect(Set(h.dispatched.map(\.index)) == Set(0..<10))
        #expect(h.dispatched.count == 10)
        #expect(h.created.count == 3)
        #expect(h.created.allSatisfy(h.isWorker))
        // The workers were told to forget each item once the status recorded it, ...
        #expect(Set(h.released) == Set((0..<10).map { h.itemName("m", index: $0, attempt: 0) }))
        #expect(h.released.count == 10)
        #expect(h.items.isEmpty)
        // ... and the worker pods were deleted when the node ended.
        #expect(h.pods.isEmpty)
        #expect(Set(h.deleted.map(\.name)) == Set((0..<3).map { h.workerName("m", slot: $0) }))
        #expect(!h.events.contains { $0.reason == "WorkerFailed" })
    }

    @Test func aFinishedItemIsReleasedOnlyOnceTheStatusRecordsIt() throws {
        var h = try WorkerHarness(Self.tenItems)
        h.itemScript = { index, _ in WorkerHarness.ItemScript(duration: index == 0 ? 1 : 100) }
        h.reconcile()
        h.advance(by: 1)   // workers start, take items 0, 1, 2
        h.reconcile()
        h.advance(by: 1)   // item 0 ends
        let name = h.itemName("m", index: 0, attempt: 0)
        #expect(h.items[name]?.pod.phase == .succeeded)
        let recording = h.reconcile()
        #expect(h.node("m").map?.items[0] == .succeeded)
        #expect(!recording.actions.contains(.releaseItem(name: name)), "released before the status recording it was saved")
        let next = h.reconcile()
        #expect(next.actions.contains(.releaseItem(name: name)))
        #expect(!next.actions.contains { if case .deletePod(let n, _) = $0 { n == name } else { false } })
    }

    @Test func anItemThatFailsIsRetriedOnTheWorkersWithItsOwnAttempts() throws {
        var h = try WorkerHarness("""
            defaults: {image: busybox, retryBackoff: {initial: 1s}}
            nodes: [{name: m, retries: 1, map: {over: [a, b, c], workers: {replicas: 2}}}]
            """)
        h.itemScript = { index, attempt in WorkerHarness.ItemScript(exitCode: index == 1 && attempt == 0 ? 3 : 0) }
        #expect(h.runToCompletion().phase == .succeeded)
        #expect(h.dispatched.filter { $0.index == 1 }.map(\.attempt) == [0, 1])
        #expect(h.dispatched.first { $0.index == 1 && $0.attempt == 1 }?.env["CAPSTAN_ATTEMPT"] == "1")
        let failure = try #require(h.node("m").failures.first)
        #expect(failure.index == 1 && failure.attempt == 0 && failure.reason == .error && failure.exitCode == 3)
        #expect(h.released.contains(h.itemName("m", index: 1, attempt: 0)))
        #expect(h.created.allSatisfy(h.isWorker))
    }

    @Test func anItemPastItsTimeoutFailsAsDeadlineExceeded() throws {
        var h = try WorkerHarness("""
            defaults: {image: busybox}
            nodes: [{name: m, timeout: 5s, map: {over: [a, b], workers: {replicas: 2}}}]
            """)
        h.itemScript = { index, _ in index == 1 ? .init(exitCode: 137, podReason: "DeadlineExceeded") : .init() }
        #expect(h.runToCompletion().phase == .failed)
        let failure = try #require(h.node("m").failures.last)
        #expect(failure.index == 1 && failure.reason == .deadlineExceeded)
        #expect(h.pods.isEmpty, "the worker pods go with the failed node")
    }

    // MARK: Outputs

    @Test func itemOutputsArePersistedAndGatheredAsWithPods() throws {
        var h = try WorkerHarness("""
            defaults: {image: busybox}
            nodes:
              - {name: m, map: {over: [1, 2, 3, 4], workers: {replicas: 2}}, outputs: [x]}
              - {name: sum, inputs: {xs: "{{ nodes.m.outputs.x }}"}}
            """)
        h.itemScript = { index, _ in .init(outputs: ["x": .number(Double(index * 10)), "extra": "dropped"]) }
        #expect(h.runToCompletion().phase == .succeeded)
        #expect(h.store["ml/wf/uid-1/m/2/outputs.json"] == ["x": 20])
        #expect(h.store["ml/wf/uid-1/m/outputs.json"] == ["x": [0, 10, 20, 30]])
        #expect(h.node("m").outputsURI == "file:///tmp/capstan-store/ml/wf/uid-1/m/outputs.json")
        let sum = try #require(h.created.first { $0.node == "sum" })
        #expect(sum.manifest["spec"]?["containers"]?[0]?["env"]?.environment["CAPSTAN_INPUTS"] == #"{"xs":[0,10,20,30]}"#)
    }

    @Test func anItemWithoutItsDeclaredOutputFailsAsWithPods() throws {
        var h = try WorkerHarness("""
            defaults: {image: busybox}
            nodes: [{name: m, map: {over: [1, 2], workers: {replicas: 2}}, outputs: [x]}]
            """)
        h.itemScript = { index, _ in .init(outputs: index == 0 ? ["x": 1] : ["y": 1]) }
        #expect(h.runToCompletion().phase == .failed)
        let failure = try #require(h.node("m").failures.last)
        #expect(failure.index == 1 && failure.reason == .outputsMissing)
        #expect(failure.message?.contains("\"x\"") == true)
    }
}
