import CapstanAPI
import CapstanEngine
import CapstanKube
import CapstanStore
import Foundation
import Logging
import Metrics
import NIOConcurrencyHelpers

/// The operator: informers on Workflows and on Capstan's pods feed a work queue; workers
/// reconcile one workflow at a time (never the same one on two workers).
public final class WorkflowController: Sendable {
    let kube: any KubeAPI
    let config: ControllerConfig
    let logger: Logger
    let workflows: Informer<JSONValue>
    let pods: Informer<TrackedPod>
    let autoscalerEvents: PodEventSignals
    let mountFailures: PodEventSignals
    let queue: WorkQueue<String>
    let reconciler: WorkflowReconciler
    /// Where `map.workers` items wait for their workers; `DispatchServer` serves its polls.
    public let dispatcher: WorkerDispatcher
    private let ready = NIOLockedValueBox(false)

    let metrics: ControllerMetrics

    /// `metrics` defaults to a private registry; `capstan run` passes the one it serves.
    /// `dispatcher`: the one `capstan run` serves; a new one (served by nobody) by default.
    public init(kube: any KubeAPI, store: any ObjectStore, config: ControllerConfig, logger: Logger,
                metrics: ControllerMetrics = ControllerMetrics(), dispatcher: WorkerDispatcher? = nil) {
        let dispatcher = dispatcher ?? WorkerDispatcher(key: config.engine.workerKey, now: { Timestamp(Date()) })
        self.dispatcher = dispatcher
        self.metrics = metrics
        self.kube = kube
        self.config = config
        self.logger = logger
        let workflows = Informer<JSONValue>(
            client: kube, resource: .workflows, namespace: config.namespace,
            indexes: ["parent": { object in WorkflowController.parentKeys(of: object) }],
            options: InformerOptions(ignoredPaths: TrimmedObject.unreadMetadata), logger: logger,
            heldSpec: TrimmedObject.heldSpec, transform: TrimmedObject.keep)
        let pods = Informer<TrackedPod>(
            client: kube, resource: .pods, namespace: config.namespace,
            labelSelector: "\(PodLabels.managedBy)=capstan",
            indexes: ["workflow": { [$0.workflowKey] }],
            // TrackedPod reads metadata and status only; the spec is most of a pod's bytes.
            options: InformerOptions(ignoredPaths: [["spec"]] + TrimmedObject.unreadMetadata), logger: logger, transform: TrackedPod.summarize)
        let autoscalerEvents = PodEventSignals(kube: kube, namespace: config.namespace, reasons: PodEventSignals.autoscalerReasons, logger: logger)
        let mountFailures = PodEventSignals(kube: kube, namespace: config.namespace, reasons: PodEventSignals.mountFailureReasons, logger: logger)
        self.workflows = workflows
        self.pods = pods
        self.autoscalerEvents = autoscalerEvents
        self.mountFailures = mountFailures
        self.queue = WorkQueue<String>()
        self.reconciler = WorkflowReconciler(
            kube: kube, storeActions: StoreActions(store: store, cache: OutputsCache(), logger: logger, metrics: metrics), config: config,
            workflowLookup: { key in workflows.get(key) },
            podLookup: { key, uid in pods.byIndex("workflow", key) { $0.belongs(toWorkflowUID: uid) ? $0.observed : nil } },
            scaleUpLookup: { podKey in autoscalerEvents.latest(forPod: podKey)?.at },
            mountFailureLookup: { podKey in mountFailures.latest(forPod: podKey).map { ($0.at, $0.message) } },
            templateLookup: { namespace, name in
                do {
                    return try await kube.get(.workflowTemplates, namespace: namespace, name: name)
                } catch let error as KubeError where error.isNotFound {
                    // No such template, or no WorkflowTemplate CRD installed: either way, not found.
                    return nil
                }
            },
            childLookup: { key in workflows.byIndex("parent", key) },
            dispatcher: dispatcher, logger: logger, metrics: metrics)
    }

    /// True once the caches have synced and workers run.
    public var isReady: Bool { ready.withLockedValue { $0 } }

    /// Runs until the task is cancelled, then lets in-flight reconciles finish. With `shard`,
    /// only the Workflows of that shard are reconciled and cached, and only its pods are
    /// watched. Sub-workflows are cached whatever their shard, so a parent sees its children.
    public func run(shard: ShardFilter? = nil) async {
        if let shard {
            // Pods are labelled with their shard, so this replica need not decode the others'.
            if let selector = shard.podSelector { pods.narrow(toLabelSelector: selector) }
            // Workflows cannot be selected by a hash of their UID; the others' events are
            // decoded no further than their metadata.
            workflows.narrow(toMetadataPassing: { metadata in shard.caches(workflowMetadata: metadata) })
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.workflows.run() }
            group.addTask { await self.pods.run() }
            // Not waited for: autoscaler Events only ever extend a wait, so a controller
            // without them decides as if no scale-up were under way.
            group.addTask { await self.autoscalerEvents.run() }
            // Not waited for either: without them a pod whose volume cannot mount waits for its timeout.
            group.addTask { await self.mountFailures.run() }
            group.addTask { await self.enqueueWorkflowEvents(shard: shard) }
            group.addTask { await self.enqueuePodEvents() }
            group.addTask { await self.enqueueWorkerNews() }
            group.addTask { await self.enqueueSignalledPods(self.mountFailures) }
            group.addTask { await self.enqueueSignalledPods(self.autoscalerEvents) }
            group.addTask { await self.reportWorkflowPhases(shard: shard) }
            await workflows.waitForSync()
            await pods.waitForSync()
            // Stopped before the caches were ever complete: nothing was reconciled.
            guard !Task.isCancelled else {
                group.cancelAll()
                return
            }
            logger.info("caches synced", metadata: ["workflows": "\(workflows.count)", "pods": "\(pods.count)"])
            ready.withLockedValue { $0 = true }
            for worker in 0..<max(1, config.workers) {
                group.addTask { await self.work(worker, shard: shard) }
            }
            await queue.drainWhenCancelled()
            group.cancelAll()
        }
        ready.withLockedValue { $0 = false }
    }

    /// Another shard's Workflow is not queued (the shard is fixed for this run), so the other
    /// replicas' Workflows cost no trip through the work queue; its parent still may be ours.
    private func enqueueWorkflowEvents(shard: ShardFilter?) async {
        for await event in workflows.events() {
            if Task.isCancelled { return }
            if shard?.owns(event.summary) ?? true { await queue.add(event.key) }
            // A child's change is its parent's news: the sub-workflow node follows it. A parent
            // not cached is another shard's (or gone, and its own deletion queued it already).
            for parent in Self.parentKeys(of: event.summary) where workflows.get(parent) != nil { await queue.add(parent) }
        }
    }

    /// `namespace/name` of the Workflow that owns this one as a sub-workflow (SPEC §11).
    static func parentKeys(of object: JSONValue) -> [String] {
        let metadata = object["metadata"]
        guard metadata?["labels"]?[ChildWorkflows.parentLabel] != nil, let namespace = metadata?["namespace"]?.stringValue else { return [] }
        return (metadata?["ownerReferences"]?.arrayValue ?? [])
            .filter { $0["kind"]?.stringValue == Workflow.kind }
            .compactMap { $0["name"]?.stringValue.map { "\(namespace)/\($0)" } }
    }

    /// An Event that explains a waiting pod (`FailedMount`, `TriggeredScaleUp`) is news for
    /// its Workflow: it can arrive after the pod's own last change, and nothing else would
    /// bring the Workflow back to read it.
    private func enqueueSignalledPods(_ signals: PodEventSignals) async {
        for await podKey in signals.signalledPods() {
            if Task.isCancelled { return }
            if let pod = pods.get(podKey) { await queue.add(pod.workflowKey) }
        }
    }

    private func enqueuePodEvents() async {
        for await event in pods.events() {
            if Task.isCancelled { return }
            await queue.add(event.summary.workflowKey)
        }
    }

    /// What workers report (an item started or ended, a worker polled for the first time)
    /// is news for the item's Workflow.
    private func enqueueWorkerNews() async {
        for await key in dispatcher.changes() {
            if Task.isCancelled { return }
            await queue.add(key)
        }
    }

    private func work(_ worker: Int, shard: ShardFilter?) async {
        while let key = await queue.next() {
            if let shard, !shard.owns(workflows.get(key)) {
                await queue.forget(key)
                await queue.done(key)
                continue
            }
            let started = ContinuousClock.now
            var failed = false
            do {
                let requeue = try await reconciler.reconcile(key)
                await queue.forget(key)
                if let requeue { await queue.add(key, after: .milliseconds(Int64(max(0, requeue) * 1000) + 10)) }
            } catch let error as KubeError where error.isConflict {
                await queue.add(key, after: .milliseconds(50))
            } catch {
                failed = true
                logger.warning("reconcile failed", metadata: ["workflow": "\(key)", "error": "\(error)"])
                await queue.addRateLimited(key)
            }
            metrics.reconcileFinished(duration: ContinuousClock.now - started, failed: failed)
            await queue.done(key)
        }
    }

    /// `capstan_workflows{phase}` from the cache, every few seconds.
    private func reportWorkflowPhases(shard: ShardFilter?) async {
        while !Task.isCancelled {
            var counts = Dictionary(uniqueKeysWithValues: WorkflowPhase.allCases.map { ($0.rawValue, 0) })
            for object in workflows.list() where shard?.owns(object) ?? true {
                let phase = object["status"]?["phase"]?.stringValue ?? WorkflowPhase.pending.rawValue
                counts[phase, default: 0] += 1
            }
            metrics.setWorkflowCounts(counts)
            try? await Task.sleep(for: .seconds(5))
        }
    }
}
