import CapstanKube
import Prometheus
import TestSupport
import Testing

@Suite struct WorkQueueTests {
    @Test func aKeyAddedTwiceIsHandedOutOnce() async {
        let queue = WorkQueue<String>(metrics: .none)
        await queue.add("a")
        await queue.add("a")
        await queue.add("b")
        await queue.add("a")
        #expect(await queue.depth == 2)
        #expect(await queue.next() == "a")
        #expect(await queue.next() == "b")
        #expect(await queue.depth == 0)
    }

    @Test func aKeyReAddedWhileProcessingWaitsForDone() async throws {
        let queue = WorkQueue<String>(metrics: .none)
        await queue.add("a")
        #expect(await queue.next() == "a")
        await queue.add("a")
        await queue.add("a")
        #expect(await queue.depth == 0, "a key being processed must not be queued for another worker")
        let second = Task { await queue.next() }
        try await Task.sleep(for: .milliseconds(50))
        await queue.done("a")
        #expect(await second.value == "a")
        await queue.done("a")
        #expect(await queue.depth == 0)
        #expect(await queue.processingCount == 0)
    }

    @Test func concurrentWorkersNeverShareAKey() async {
        let queue = WorkQueue<Int>(metrics: .none)
        let inFlight = SharedMutex(Set<Int>())
        let overlaps = SharedMutex(0)
        let processed = SharedMutex([Int: Int]())
        let keys = 16

        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    while let key = await queue.next() {
                        let clash = inFlight.withLock { !$0.insert(key).inserted }
                        if clash { overlaps.withLock { $0 += 1 } }
                        processed.withLock { $0[key, default: 0] += 1 }
                        for _ in 0..<Int.random(in: 0...3) { await Task.yield() }
                        inFlight.withLock { _ = $0.remove(key) }
                        await queue.done(key)
                    }
                }
            }
            await withTaskGroup(of: Void.self) { producers in
                for p in 0..<4 {
                    producers.addTask {
                        for i in 0..<2_000 {
                            await queue.add((i * 7 + p) % keys)
                            if i % 50 == 0 { await Task.yield() }
                        }
                    }
                }
            }
            await queue.shutDownWithDrain()
        }
        #expect(overlaps.withLock { $0 } == 0)
        let counts = processed.withLock { $0 }
        #expect(counts.keys.sorted() == Array(0..<keys), "every key added must be processed")
        // Deduplication: far fewer runs than the 8,000 adds.
        #expect(counts.values.reduce(0, +) < 8_000)
    }

    @Test func delayedAddsWaitForTheClock() async throws {
        let time = ManualTimeSource()
        let queue = WorkQueue<String>(time: time, metrics: .none)
        await queue.add("late", after: .seconds(10))
        await queue.add("soon", after: .seconds(2))
        #expect(await queue.delayedCount == 2)
        time.advance(by: .seconds(1))
        try await Task.sleep(for: .milliseconds(30))
        #expect(await queue.depth == 0)
        time.advance(by: .seconds(1))
        #expect(await eventually { await queue.depth == 1 })
        #expect(await queue.next() == "soon")
        // An earlier delay for a key already waiting wins; a later one is ignored.
        await queue.add("late", after: .seconds(60))
        time.advance(by: .seconds(7))
        try await Task.sleep(for: .milliseconds(30))
        #expect(await queue.depth == 0)
        time.advance(by: .seconds(1))
        #expect(await eventually { await queue.depth == 1 })
        #expect(await queue.next() == "late")
        #expect(await queue.delayedCount == 0)
    }

    @Test func rateLimitedAddsBackOffPerKeyUntilForgotten() async throws {
        let time = ManualTimeSource()
        let queue = WorkQueue<String>(backoff: ItemBackoff(base: .milliseconds(5), maximum: .seconds(1000)), time: time, metrics: .none)

        func expectReadyAfter(_ delay: Duration) async throws {
            await queue.addRateLimited("k")
            time.advance(by: delay - .milliseconds(1))
            try await Task.sleep(for: .milliseconds(20))
            #expect(await queue.depth == 0, "ready before \(delay)")
            time.advance(by: .milliseconds(1))
            #expect(await eventually { await queue.depth == 1 }, "not ready after \(delay)")
            #expect(await queue.next() == "k")
            await queue.done("k")
        }

        try await expectReadyAfter(.milliseconds(5))
        try await expectReadyAfter(.milliseconds(10))
        try await expectReadyAfter(.milliseconds(20))
        #expect(await queue.retries(of: "k") == 3)
        await queue.forget("k")
        #expect(await queue.retries(of: "k") == 0)
        try await expectReadyAfter(.milliseconds(5))
        #expect(ItemBackoff().delay(failures: 30) == .seconds(1000))
    }

    @Test func shutdownHandsOutQueuedKeysThenEnds() async {
        let queue = WorkQueue<String>(metrics: .none)
        let idle = Task { await queue.next() }
        try? await Task.sleep(for: .milliseconds(20))
        await queue.add("x")
        #expect(await idle.value == "x")
        await queue.add("y")
        await queue.shutDown()
        await queue.add("z")
        #expect(await queue.next() == "y")
        #expect(await queue.next() == nil)
        let waiting = Task { await queue.next() }
        #expect(await waiting.value == nil)
    }

    @Test func reportsDepthAndWaitTime() async {
        let time = ManualTimeSource()
        let depths = SharedMutex([Int]())
        let waits = SharedMutex([Duration]())
        let metrics = WorkQueueMetrics(depthChanged: { d in depths.withLock { $0.append(d) } },
                                       keyWaited: { w in waits.withLock { $0.append(w) } })
        let queue = WorkQueue<String>(time: time, metrics: metrics)
        await queue.add("a")
        await queue.add("b")
        time.advance(by: .seconds(3))
        _ = await queue.next()
        #expect(depths.withLock { $0 } == [1, 2, 1])
        #expect(waits.withLock { $0 } == [.seconds(3)])
    }

    @Test func exportsDepthAndWaitSecondsToPrometheus() async {
        let registry = PrometheusCollectorRegistry()
        let time = ManualTimeSource()
        let queue = WorkQueue<String>(time: time, metrics: .swiftMetrics(factory: PrometheusMetricsFactory(registry: registry)))
        await queue.add("a")
        await queue.add("b")
        time.advance(by: .milliseconds(1500))
        _ = await queue.next()
        let text = registry.emitToString()
        #expect(text.contains("capstan_workqueue_depth 1"), "\(text)")
        #expect(text.contains("capstan_workqueue_wait_seconds_count 1"))
        #expect(text.contains("capstan_workqueue_wait_seconds_sum 1.5"))
    }
}
