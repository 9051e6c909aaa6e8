import CapstanWorker
import Testing

/// The poll loop against an in-memory controller (SPEC §15).
@Suite struct WorkerLoopTests {
    private func loop(_ dispatch: FakeDispatch, _ executor: FakeExecutor, busyPoll: Duration = .milliseconds(40)) -> WorkerLoop {
        var loop = WorkerLoop(claims: claims, transport: FakeTransport(dispatch: dispatch), executor: executor)
        loop.busyPollInterval = busyPoll
        loop.retryBackoff = .init(initial: .milliseconds(1), maximum: .milliseconds(4))
        return loop
    }

    @Test func runsItemsOneAtATimeReportsEachAndStopsOnceAllAreAcknowledged() async {
        let dispatch = FakeDispatch(items: items(5))
        let executor = FakeExecutor()
        let exit = await loop(dispatch, executor).run()
        #expect(exit == .stopped)
        #expect(exit.exitCode == 0)
        #expect(await executor.log.started == (0..<5).map { "item-\($0)" })
        #expect(await executor.log.maximumConcurrent == 1)
        #expect(await dispatch.acknowledged == (0..<5).map { "item-\($0)" })
        let polls = await dispatch.polls.map(\.poll)
        #expect(polls.allSatisfy { $0.claims == claims })
        // Each result travels with the poll that asks for the next item.
        let carrying = polls.filter { !$0.finished.isEmpty }
        #expect(carrying.map { $0.finished.map(\.name) } == (0..<5).map { ["item-\($0)"] })
        #expect(carrying.dropLast().allSatisfy { $0.ready })
        #expect(carrying.first?.finished.first?.outputs == "{\"i\":0}")
        #expect(carrying.last?.finished.first?.exitCode == 4)
    }

    @Test func unacknowledgedResultsAreResentAndStopWaitsForTheAcknowledgement() async {
        let dispatch = FakeDispatch(items: items(2))
        await dispatch.configure(ackOnSighting: 3)
        let exit = await loop(dispatch, FakeExecutor(), busyPoll: .milliseconds(10)).run()
        #expect(exit == .stopped)
        let polls = await dispatch.polls.map(\.poll)
        for name in ["item-0", "item-1"] {
            #expect(polls.filter { $0.finished.contains { $0.name == name } }.count == 3, "\(name) is sent until acknowledged")
        }
        #expect(polls.last?.finished.map(\.name) == ["item-1"], "the last poll carried the last result, then the loop ended")
        #expect(await dispatch.acknowledged == ["item-0", "item-1"])
    }

    @Test func aBusyWorkerSendsHeartbeatsNamingItsItem() async {
        let dispatch = FakeDispatch(items: items(1))
        let executor = FakeExecutor(duration: .milliseconds(300))
        #expect(await loop(dispatch, executor, busyPoll: .milliseconds(40)).run() == .stopped)
        let polls = await dispatch.polls
        let heartbeats = polls.filter { $0.poll.running == "item-0" }
        // Five 40 ms periods in 300 ms; on a busy test machine timers fire late, but more than one comes.
        #expect(heartbeats.count >= 2)
        #expect(heartbeats.allSatisfy { !$0.poll.ready })
        let gaps = zip(heartbeats, heartbeats.dropFirst()).map { $1.at - $0.at }
        // Paced, not back to back: on average a period apart (one poll delayed by a busy
        // machine brings the next one closer, so single gaps are not compared).
        let mean = gaps.reduce(Duration.zero, +) / max(1, gaps.count)
        #expect(gaps.isEmpty || mean >= .milliseconds(30), "heartbeats are paced, not back to back: \(gaps)")
        // The result goes out at once, not at the next heartbeat.
        let result = polls.first { !$0.poll.finished.isEmpty }
        #expect(result?.poll.running == nil)
        #expect(result?.poll.ready == true)
    }

    @Test func transientFailuresAreRetriedUntilTheControllerAnswers() async {
        let dispatch = FakeDispatch(items: items(2))
        await dispatch.configure(transientFailures: 6)
        #expect(await loop(dispatch, FakeExecutor()).run() == .stopped)
        #expect(await dispatch.acknowledged == ["item-0", "item-1"])
    }

    @Test func aRefusedTokenEndsTheLoopWithExitCode3() async {
        let dispatch = FakeDispatch(items: items(1))
        await dispatch.configure(refuse: true)
        let exit = await loop(dispatch, FakeExecutor()).run()
        guard case .failed(let error) = exit else {
            Issue.record("expected a failure, got \(exit)")
            return
        }
        #expect(error.isRefused)
        #expect(error.status == 401)
        #expect(error.message == "invalid worker token")
        #expect(exit.exitCode == 3)
        #expect(await dispatch.polls.count == 1, "a refused token is not retried")
    }

    @Test func otherClientErrorsEndTheLoopWithExitCode1() {
        #expect(WorkerExit.failed(.forStatus(400, body: "bad")).exitCode == 1)
        #expect(WorkerExit.failed(.forStatus(403, body: "no")).exitCode == 3)
        #expect(DispatchError.forStatus(503, body: "").isTransient)
        #expect(DispatchError.forStatus(429, body: "").isTransient)
        #expect(!DispatchError.forStatus(404, body: "").isTransient)
    }

    @Test func cancellingTheTaskStopsTheRunningItem() async {
        let dispatch = FakeDispatch(items: items(1))
        let executor = FakeExecutor(duration: .seconds(30))
        let work = Task { [loop = loop(dispatch, executor)] in await loop.run() }
        #expect(await eventuallyStarted(executor))
        let began = ContinuousClock.now
        work.cancel()
        #expect(await work.value == .cancelled)
        #expect(ContinuousClock.now - began < .seconds(20), "stopped, not run to the end of its 30 s (a busy test machine resumes late)")
        #expect(await dispatch.acknowledged.isEmpty, "a stopped item is not reported")
    }

    private func eventuallyStarted(_ executor: FakeExecutor) async -> Bool {
        for _ in 0..<500 {
            if await !executor.log.started.isEmpty { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return false
    }
}
