import Testing
import CapstanAPI
@testable import CapstanEngine

/// `map.workers` (SPEC §15): the worker pods' lives — the contact gate after a controller
/// restart, workers that are lost or fail, and idle workers retiring.
@Suite struct EngineMapWorkerLifecycleTests {
    // MARK: The contact gate

    /// Three workers run items 0-2, items 3-5 wait in the dispatcher's queue; then the
    /// controller restarts: its dispatcher knows of no item, and no worker has polled it yet.
    private func restarted() throws -> WorkerHarness {
        var h = try WorkerHarness(EngineMapWorkersTests.tenItems)
        h.itemScript = { _, _ in .init(duration: 1000) }
        h.reconcile()
        h.advance(by: 1)
        h.reconcile()
        #expect(h.items.values.count { $0.pod.phase == .running } == 3)
        h.advance(by: 5)
        h.items = [:]
        h.lastPoll = [:]
        h.idleSince = [:]
        h.listeningSince = h.now
        h.workersPoll = false
        return h
    }

    @Test func itemsWaitWhileARunningWorkerHasNotPolledTheController() throws {
        var h = try restarted()
        let dispatchedBefore = h.dispatched.count
        let result = h.reconcile()
        #expect(!result.actions.contains { if case .dispatchItem = $0 { true } else { false } })
        #expect(!result.actions.contains { if case .deletePod = $0 { true } else { false } })
        #expect(h.dispatched.count == dispatchedBefore)
        #expect(h.node("m").failures.isEmpty, "items the status shows running are not taken for lost while a worker may hold them")
        #expect(h.node("m").map?.running == 6)
        #expect(h.node("m").phase == .running)
        #expect(result.requeueAfter == 30)

        // Two workers poll; the third is still silent: still nothing moves.
        h.advance(by: 10)
        h.lastPoll[h.workerName("m", slot: 0)] = h.now
        h.lastPoll[h.workerName("m", slot: 1)] = h.now
        let partly = h.reconcile()
        #expect(h.node("m").failures.isEmpty)
        #expect(h.dispatched.count == dispatchedBefore)
        #expect(partly.requeueAfter == 20)
    }

    @Test func aWorkerSilentPastTheGraceIsDeletedAndItsItemsRetried() throws {
        var h = try restarted()
        h.reconcile()
        h.advance(by: 29)
        let early = h.reconcile()
        #expect(!early.actions.contains { if case .deletePod = $0 { true } else { false } })
        h.advance(by: 1)
        let late = h.reconcile()
        let deletions = late.actions.compactMap { if case .deletePod(let name, let reason) = $0 { (name, reason) } else { nil } }
        #expect(Set(deletions.map(\.0)) == Set((0..<3).map { h.workerName("m", slot: $0) }))
        #expect(deletions.allSatisfy { $0.1.contains("has not polled the controller") })
        #expect(h.node("m").failures.isEmpty, "items wait until the silent worker is gone")

        // Once they are gone, the items they may have held are retried as system failures.
        h.workersPoll = true
        h.reconcile()
        let failures = h.node("m").failures
        #expect(failures.count == 6)
        #expect(failures.allSatisfy { $0.reason == .workerLost && $0.attempt == 0 })
        #expect(h.node("m").map?.retrying[0]?.systemFailures == 1)
        #expect(h.dispatched.contains { $0.index == 0 && $0.attempt == 1 })
        #expect(h.createdWorkers.count == 6, "three new worker pods")
    }

    @Test func theGraceRunsFromWhenTheControllerStartedListeningOrTheWorkerStarted() throws {
        var h = try restarted()
        h.advance(by: 20)   // the workers have run for 25 s, silent
        // The dispatcher started listening 10 s ago: 20 s of grace are left.
        h.listeningSince = h.now + -10
        #expect(h.reconcile().requeueAfter == 20)
        // It listened before the workers started: the grace runs from their start.
        h.listeningSince = h.now + -60
        #expect(h.reconcile().requeueAfter == 5)
        h.advance(by: 5)
        let late = h.reconcile()
        #expect(late.actions.contains { if case .deletePod = $0 { true } else { false } })
    }

    /// After a restart the dispatcher has no pool for a node none of whose workers has polled
    /// yet: the grace runs from when it started listening (`dispatcherStartedAt`), so a worker
    /// that never polls (a wrong `--dispatch-url`, a network policy) does not hold the map for ever.
    @Test func aRunningWorkerThatNeverPollsIsDeletedEvenWithoutAPoolView() throws {
        var h = try restarted()
        func step(_ h: WorkerHarness) -> StepResult {
            var facts = ActionResults()
            facts.dispatcherStartedAt = h.listeningSince
            return h.engine.step(StepInput(
                metadata: h.metadata, compiled: h.compiled, status: h.status, pods: Array(h.pods.values), facts: facts, now: h.now))
        }
        let first = step(h)
        #expect(!first.actions.contains { if case .dispatchItem = $0 { true } else { false } })
        #expect(first.requeueAfter == 30)
        h.advance(by: 30)
        let late = step(h)
        let deleted = late.actions.compactMap { if case .deletePod(let name, _) = $0 { name } else { nil } }
        #expect(Set(deleted) == Set((0..<3).map { h.workerName("m", slot: $0) }))
    }

    // MARK: Lost workers and failed worker pods

    @Test func anItemWhoseWorkerLostItIsRetriedAsASystemFailure() throws {
        var h = try WorkerHarness(EngineMapWorkersTests.tenItems)
        h.itemScript = { index, attempt in .init(duration: index == 4 && attempt == 0 ? 1000 : 2) }
        h.reconcile()
        h.advance(by: 1)   // workers take items 0, 1, 2
        h.reconcile()
        h.advance(by: 2)   // 0, 1, 2 end; workers take 3, 4, 5
        h.reconcile()
        h.advance(by: 1)
        h.reconcile()
        let lost = h.itemName("m", index: 4, attempt: 0)
        #expect(h.items[lost]?.pod.phase == .running)
        #expect(h.workerPods.allSatisfy { h.lastPoll[$0.name] == h.now })
        // The dispatcher no longer knows of item 4 (its worker restarted): the pool is in contact.
        h.items[lost] = nil
        let result = h.reconcile()
        let failure = try #require(h.node("m").failures.first)
        #expect(failure.index == 4 && failure.attempt == 0 && failure.reason == .workerLost)
        #expect(failure.reason.isSystem)
        #expect(h.node("m").map?.retrying[4]?.systemFailures == 1)
        #expect(h.node("m").map?.retrying[4]?.userFailures == 0)
        #expect(result.status.nodes["m"]?.map?.items[4] == .running)
        #expect(h.dispatched.last.map { ($0.index, $0.attempt) } ?? (-1, -1) == (4, 1), "the retry is handed out in the same reconcile")
        #expect(h.dispatched.last?.name == h.itemName("m", index: 4, attempt: 1))
        #expect(h.events.contains { $0.reason == "AttemptFailed" && $0.attemptEnd == .retried(system: true) })
        #expect(h.runToCompletion().phase == .succeeded)
        #expect(h.node("m").map?.succeeded == 10)
    }

    @Test func anItemTheWorkerReportsLostIsRetriedAsASystemFailure() throws {
        var h = try WorkerHarness("""
            defaults: {image: busybox}
            nodes: [{name: m, map: {over: [a, b], workers: {replicas: 1}}}]
            """)
        h.itemScript = { index, attempt in index == 0 && attempt == 0 ? .init(exitCode: 137, podReason: "WorkerLost") : .init() }
        #expect(h.runToCompletion().phase == .succeeded)
        let failure = try #require(h.node("m").failures.first)
        #expect(failure.reason == .workerLost && failure.index == 0)
        #expect(failure.reason.isSystem)
        #expect(h.dispatched.filter { $0.index == 0 }.map(\.attempt) == [0, 1])
        #expect(h.released.contains(h.itemName("m", index: 0, attempt: 0)))
    }

    @Test func aFailedWorkerPodIsDeletedReportedAndReplaced() throws {
        var h = try WorkerHarness(EngineMapWorkersTests.tenItems)
        h.itemScript = { _, _ in .init(duration: 5) }
        h.reconcile()
        h.advance(by: 1)
        h.reconcile()
        let w1 = h.workerName("m", slot: 1)
        let heldByW1 = try #require(h.items.values.first { $0.holder == w1 }?.pod.index)
        var pod = try #require(h.pods[w1])
        pod.phase = .failed
        pod.exitCode = 1
        pod.finishedAt = h.now
        h.pods[w1] = pod
        let result = h.reconcile()
        #expect(result.actions.contains { if case .deletePod(let name, _) = $0 { name == w1 } else { false } })
        let event = try #require(h.events.first { $0.reason == "WorkerFailed" })
        #expect(event.kind == .warning)
        #expect(event.message.contains(w1))
        #expect(h.node("m").map?.workerFailures == 1)
        #expect(h.node("m").phase == .running)
        #expect(h.createdWorkers.count == 4, "a new worker pod takes the failed one's place")
        #expect(h.pods.values.count { $0.phase != .failed } == 3)

        // The item it held is retried (its worker lost it), and the map succeeds.
        #expect(h.runToCompletion().phase == .succeeded)
        #expect(h.node("m").failures.contains { $0.index == heldByW1 && $0.reason == .workerLost })
        #expect(h.node("m").map?.succeeded == 10)
    }

    /// The informer may show the failed worker pod once more before its deletion arrives:
    /// the failure it already counted is not counted again.
    @Test func aFailedWorkerPodSeenAgainBeforeItsDeletionIsCountedOnce() throws {
        var h = try WorkerHarness(EngineMapWorkersTests.tenItems)
        h.itemScript = { _, _ in .init(duration: 5) }
        h.deletionLag = 1
        h.reconcile()
        h.advance(by: 1)
        h.reconcile()
        let w1 = h.workerName("m", slot: 1)
        var pod = try #require(h.pods[w1])
        pod.phase = .failed
        pod.exitCode = 1
        h.pods[w1] = pod
        h.reconcile()
        h.reconcile()   // the informer still lists the failed pod
        #expect(h.node("m").map?.workerFailures == 1)
        #expect(h.events.count { $0.reason == "WorkerFailed" } == 1)
        #expect(h.createdWorkers.count == 4)
    }

    @Test func workerPodsThatKeepFailingFailTheNode() throws {
        var h = try WorkerHarness(EngineMapWorkersTests.tenItems)
        h.itemScript = { _, _ in .init(duration: 100) }
        h.reconcile()
        var failedPods = 0
        for _ in 0..<20 where h.node("m").phase == .running {
            h.advance(by: 1)
            // Every running worker pod crashes.
            for worker in h.workerPods where worker.phase == .running {
                var pod = worker
                pod.phase = .failed
                pod.exitCode = 2
                h.pods[worker.name] = pod
                failedPods += 1
            }
            h.reconcile()
        }
        #expect(h.node("m").phase == .failed)
        let message = try #require(h.node("m").message)
        #expect(message.contains("worker pods failed, more than systemRetries + replicas allows"))
        // systemRetries (3) + replicas (3) are replaced; the next failure fails the node.
        #expect(h.node("m").map?.workerFailures == 7)
        h.reconcile()
        #expect(h.pods.values.allSatisfy { $0.phase == .failed } || h.pods.isEmpty)
    }

    @Test(arguments: [("InvalidImageName", 0.0), ("ImagePullBackOff", 300.0)])
    func workersThatCannotPullTheirImageFailTheNode(reason: String, after seconds: Double) throws {
        var h = try WorkerHarness(EngineMapWorkersTests.tenItems)
        h.workerWaiting = { slot in slot == 0 ? (reason, "Back-off pulling image \"busybox\"") : nil }
        h.reconcile()
        let w0 = h.workerName("m", slot: 0)
        if seconds > 0 {
            h.advance(by: 1)
            let waiting = h.reconcile()
            #expect(h.node("m").phase == .running)
            #expect(waiting.requeueAfter.map { $0 <= seconds - 1 } == true)
            h.advance(by: seconds - 1)
        }
        h.reconcile()
        let node = h.node("m")
        #expect(node.phase == .failed)
        #expect(node.message?.contains(w0) == true, "message: \(node.message ?? "")")
        #expect(node.message?.contains("cannot run") == true)
        #expect(h.status.phase == .failed)
        #expect(h.events.contains { $0.reason == "WorkerFailed" && $0.message.contains(w0) })
        h.reconcile()
        #expect(!h.pods.values.contains { $0.phase == .running || $0.phase == .pending }, "no worker pod is left behind")
    }

    // MARK: Idle workers

    /// Items 0-2 end at once; item 3 runs long on worker 0, workers 1 and 2 have nothing to do.
    private func oneItemLeft() throws -> WorkerHarness {
        var h = try WorkerHarness("""
            defaults: {image: busybox}
            nodes: [{name: m, map: {over: [a, b, c, d], workers: {replicas: 3, idleTimeout: 1m}}}]
            """)
        h.itemScript = { index, _ in .init(duration: index == 3 ? 1000 : 1) }
        h.reconcile()
        h.advance(by: 1)
        h.reconcile()
        h.advance(by: 1)
        h.reconcile()
        #expect(h.node("m").map?.succeeded == 3)
        #expect(h.node("m").map?.running == 1)
        return h
    }

    @Test func aWorkerIdlePastItsTimeoutIsDeletedAndOneIdleLessIsKept() throws {
        var h = try oneItemLeft()
        let (w0, w1, w2) = (h.workerName("m", slot: 0), h.workerName("m", slot: 1), h.workerName("m", slot: 2))
        #expect(h.items[h.itemName("m", index: 3, attempt: 0)]?.holder == w0)
        h.workersPoll = false
        h.lastPoll = [w0: h.now, w1: h.now, w2: h.now]
        h.idleSince = [w1: h.now + -61, w2: h.now + -10]
        let result = h.reconcile()
        let deletions = result.actions.compactMap { if case .deletePod(let name, let reason) = $0 { (name, reason) } else { nil } }
        #expect(deletions.map(\.0) == [w1])
        #expect(deletions.first?.1.contains("idle") == true)
        #expect(result.requeueAfter == 50, "woken when worker 2's idle time runs out")
        #expect(h.node("m").phase == .running)

        // Nothing waits: the retired worker is not replaced; the other goes at its deadline.
        let again = h.reconcile()
        #expect(!again.actions.contains { if case .createPod = $0 { true } else { false } })
        h.advance(by: 50)
        h.lastPoll = [w0: h.now, w2: h.now]
        let later = h.reconcile()
        #expect(later.actions.contains(.deletePod(name: w2, reason: "the worker was idle for 1m")))
        #expect(!later.actions.contains { if case .deletePod(let name, _) = $0 { name == w0 } else { false } })
    }

    @Test func anIdleWorkerIsKeptWhileItemsWait() throws {
        var h = try WorkerHarness("""
            defaults: {image: busybox, retryBackoff: {initial: 1s}}
            nodes: [{name: m, map: {over: [a, b, c, d, e, f, g, h], workers: {replicas: 2, idleTimeout: 10s}}}]
            """)
        h.reconcile()
        h.advance(by: 1)
        let w1 = h.workerName("m", slot: 1)
        h.idleSince[w1] = h.now + -100
        let result = h.reconcile()
        #expect(!result.actions.contains { if case .deletePod(let name, _) = $0 { name == w1 } else { false } })
    }

    @Test func workersAreStartedAgainWhenARetryComesDueAfterTheyRetired() throws {
        var h = try WorkerHarness("""
            defaults: {image: busybox, retryBackoff: {initial: 5m}}
            nodes: [{name: m, retries: 1, map: {over: [a, b], workers: {replicas: 2, idleTimeout: 10s}}}]
            """)
        h.itemScript = { index, attempt in .init(exitCode: index == 1 && attempt == 0 ? 1 : 0) }
        #expect(h.runToCompletion(limit: 400, tick: 5).phase == .succeeded)
        #expect(h.dispatched.filter { $0.index == 1 }.map(\.attempt) == [0, 1])
        // Both retired while item 1 waited out its 5m backoff; one came back for the retry.
        #expect(h.deleted.contains { $0.reason.contains("idle") })
        #expect(h.createdWorkers.count == 3)
    }
}
