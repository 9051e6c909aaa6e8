import CapstanAPI
import CapstanKube
import Foundation
import Logging
import NIOConcurrencyHelpers

/// The CronWorkflow controller: informers on CronWorkflows and on their runs (Workflows
/// labelled `capstan.dev/cron`) feed a work queue of CronWorkflow keys. Nothing polls: each
/// reconcile asks to be requeued at the next scheduled time, and a change to a run (it
/// started, it finished) reconciles its CronWorkflow at once. `capstan run` runs it beside
/// the Workflow controller, under the same leader election.
public final class CronWorkflowController: Sendable {
    let config: ControllerConfig
    let logger: Logger
    let crons: Informer<JSONValue>
    let runs: Informer<TrackedRun>
    let queue: WorkQueue<String>
    let reconciler: CronWorkflowReconciler
    private let ready = NIOLockedValueBox(false)

    public init(kube: any KubeAPI, config: ControllerConfig, logger: Logger) {
        var logger = logger
        logger[metadataKey: "controller"] = "cron"
        self.config = config
        self.logger = logger
        let crons = Informer<JSONValue>(
            client: kube, resource: .cronWorkflows, namespace: config.namespace, logger: logger, heldSpec: TrimmedObject.heldSpec, transform: TrimmedObject.keep)
        let runs = Informer<TrackedRun>(
            client: kube, resource: .workflows, namespace: config.namespace, labelSelector: CronWorkflow.runLabel,
            indexes: ["cron": { [$0.cronKey] }],
            // A run's spec and its nodes' status are most of its bytes; only the phase is read.
            options: InformerOptions(ignoredPaths: [["spec"]] + TrimmedObject.unreadMetadata), logger: logger, transform: TrackedRun.summarize)
        self.crons = crons
        self.runs = runs
        self.queue = WorkQueue<String>()
        self.reconciler = CronWorkflowReconciler(
            kube: kube,
            cronLookup: { key in crons.get(key) },
            runLookup: { key in runs.byIndex("cron", key) }, logger: logger)
    }

    /// True once both caches have synced and workers run.
    public var isReady: Bool { ready.withLockedValue { $0 } }

    /// Runs until the task is cancelled, then lets in-flight reconciles finish. A cluster
    /// without the CronWorkflow CRD only delays this controller (its informer retries); the
    /// Workflow controller beside it is not held up.
    /// With `shard`, only the CronWorkflows whose UID hashes to it.
    public func run(shard: ShardFilter? = nil) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.crons.run() }
            group.addTask { await self.runs.run() }
            group.addTask { await self.enqueue(self.crons.events().map { $0.key }) }
            group.addTask { await self.enqueue(self.runs.events().map { $0.summary.cronKey }) }
            await crons.waitForSync()
            await runs.waitForSync()
            guard !Task.isCancelled else {
                group.cancelAll()
                return
            }
            logger.info("caches synced", metadata: ["cronworkflows": "\(crons.count)", "runs": "\(runs.count)"])
            ready.withLockedValue { $0 = true }
            for _ in 0..<max(1, min(2, config.workers)) {
                group.addTask { await self.work(shard: shard) }
            }
            await queue.drainWhenCancelled()
            group.cancelAll()
        }
        ready.withLockedValue { $0 = false }
    }

    private func enqueue(_ keys: some AsyncSequence<String, Never>) async {
        for await key in keys {
            if Task.isCancelled { return }
            await queue.add(key)
        }
    }

    private func work(shard: ShardFilter?) async {
        while let key = await queue.next() {
            if let shard, !shard.owns(crons.get(key)) {
                await queue.forget(key)
                await queue.done(key)
                continue
            }
            do {
                let requeue = try await reconciler.reconcile(key)
                await queue.forget(key)
                // A little after the scheduled time, so that the reconcile finds it due.
                if let requeue { await queue.add(key, after: .milliseconds(Int64(max(0, requeue) * 1000) + 50)) }
            } catch let error as KubeError where error.isConflict {
                await queue.add(key, after: .milliseconds(50))
            } catch {
                logger.warning("reconcile failed", metadata: ["cronworkflow": "\(key)", "error": "\(error)"])
                await queue.addRateLimited(key)
            }
            await queue.done(key)
        }
    }
}
