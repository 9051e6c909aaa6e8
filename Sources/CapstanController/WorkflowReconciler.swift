import CapstanAPI
import CapstanEngine
import CapstanKube
import CapstanStore
import Foundation
import Logging
import Metrics

/// One reconcile of one Workflow: read what the cluster shows, let the engine decide, carry
/// out its actions, save the status. Level-triggered: it never needs to know what changed,
/// so a restart at any moment resumes from what the cluster shows.
final class WorkflowReconciler: Sendable {
    /// It only writes: what it reads comes from the informers' caches, through the lookups.
    let kube: any ResourceWriter & StatusWriter
    let storeActions: StoreActions
    let config: ControllerConfig
    let workflowLookup: @Sendable (String) -> JSONValue?
    /// The pods of the Workflow at a key that belong to the one with this UID (a pod from an
    /// earlier Workflow of the same name is not its), as the engine sees them.
    let podLookup: @Sendable (_ key: String, _ uid: String) -> [ObservedPod]
    /// When an autoscaler last said a node is coming for a pod, by `namespace/name`.
    let scaleUpLookup: @Sendable (String) -> Timestamp?
    /// The kubelet's latest `FailedMount` Event for a pod, by `namespace/name`: when, and why.
    let mountFailureLookup: @Sendable (String) -> (Timestamp, String)?
    /// A WorkflowTemplate by namespace and name, read once per Workflow when it starts (its
    /// spec is then kept in the status), so no informer holds every template.
    let templateLookup: @Sendable (String, String) async throws -> JSONValue?
    /// The child Workflows of a Workflow's sub-workflow nodes, by the parent's `namespace/name`.
    let childLookup: @Sendable (String) -> [JSONValue]
    let logger: Logger
    let metrics: ControllerMetrics
    let now: @Sendable () -> Timestamp
    let expectations = CreateExpectations<ObservedPod>()
    /// Child Workflows created that the informer may not show yet, like pods.
    let childExpectations = CreateExpectations<ObservedPod>()
    let events: EventRecorder
    /// Where `map.workers` items wait for their workers, and what the workers report.
    let dispatcher: WorkerDispatcher
    private let compiledSpecs = GenerationCache<Result<CompiledWorkflow, InvalidWorkflowError>>()
    private let ownWrites = OwnWrites()

    init(kube: any ResourceWriter & StatusWriter, storeActions: StoreActions, config: ControllerConfig,
         workflowLookup: @escaping @Sendable (String) -> JSONValue?, podLookup: @escaping @Sendable (String, String) -> [ObservedPod],
         scaleUpLookup: @escaping @Sendable (String) -> Timestamp? = { _ in nil },
         mountFailureLookup: @escaping @Sendable (String) -> (Timestamp, String)? = { _ in nil },
         templateLookup: @escaping @Sendable (String, String) async throws -> JSONValue? = { _, _ in nil },
         childLookup: @escaping @Sendable (String) -> [JSONValue] = { _ in [] },
         dispatcher: WorkerDispatcher,
         logger: Logger, metrics: ControllerMetrics, now: @escaping @Sendable () -> Timestamp = { Timestamp(Date()) }) {
        self.dispatcher = dispatcher
        self.metrics = metrics
        self.kube = kube
        self.storeActions = storeActions
        self.config = config
        self.workflowLookup = workflowLookup
        self.podLookup = podLookup
        self.scaleUpLookup = scaleUpLookup
        self.mountFailureLookup = mountFailureLookup
        self.templateLookup = templateLookup
        self.childLookup = childLookup
        self.logger = logger
        self.now = now
        self.events = EventRecorder(client: kube, logger: logger)
    }

    /// Returns when to look again, if the engine asked.
    func reconcile(_ key: String) async throws -> Double? {
        guard let object = newest(key) else {
            expectations.forget(owner: key)
            childExpectations.forget(owner: key)
            ownWrites.forget(key)
            compiledSpecs.forget(key)
            dispatcher.forget(workflow: key)
            return nil
        }
        var workflow = Workflow(json: object)
        var log = logger
        log[metadataKey: "workflow"] = "\(key)"
        let compiled = try await compile(workflow, key: key)
        let engine = WorkflowEngine(config: config.engine)
        let clock = now()
        var pods = observedPods(of: workflow, key: key, now: clock)
        let workerItems = dispatcher.observe(workflow: key, uid: workflow.metadata.uid) { [pods] in
            Set(pods.lazy.filter { $0.phase == .pending || $0.phase == .running || $0.phase == .unknown }.map(\.name))
        }
        pods += workerItems.items
        let children = childExpectations.merge(childLookup(key).compactMap { ChildWorkflowSummary.observe($0, parentUID: workflow.metadata.uid) },
                                               owner: key, now: clock, grace: config.createdPodGrace)

        var results = ActionResults()
        results.recoverable = recoverable(for: workflow, compiled: compiled)
        results.workerPools = workerItems.pools
        results.dispatcherStartedAt = dispatcher.listeningSince
        func step() -> StepResult {
            // Read at each round: the last round's pod creates are the ones that waited.
            results.apiRateLimit = apiRateLimit()
            var input = StepInput(metadata: workflow.metadata, compiled: compiled, status: workflow.status, pods: pods, facts: results, now: clock)
            input.children = children
            return engine.step(input)
        }
        var result = step()
        var storeFailures: [StoreActions.Failure] = []
        for _ in 0..<StepRounds.limit {
            // Once the store has failed, its questions would only fail again this reconcile;
            // pod creates are still answered, so the saved status never claims a pod that
            // was not created.
            let awaited = result.actions.filter { $0.awaitsResult && (storeFailures.isEmpty || $0.isPodCreate) }
            if awaited.isEmpty { break }
            storeFailures += await carryOut(awaited, into: &results, workflow: workflow, key: key, log: log, now: clock)
            result = step()
        }
        if result.actions.contains(where: \.isPodCreate) {
            log.error("the engine still asks for pod creates after \(StepRounds.limit) rounds; status not saved, looking again")
            return 1
        }
        // Finalizers first: the status write below is guarded by the resourceVersion they leave.
        workflow.metadata.resourceVersion = try await applyFinalizers(result.actions, of: workflow, key: key, log: log)
        await apply(result.actions.filter { !$0.awaitsResult }, workflow: workflow, log: log)
        if let failure = storeFailures.first {
            await recordEvent(WorkflowEvent(.warning, reason: "StoreUnavailable", message: "cannot reach the store, will retry: \(failure)"), on: workflow, log: log)
        }
        // A Workflow being deleted keeps the status it had; only its finalizers matter now.
        if workflow.metadata.deletionTimestamp != nil { return storeFailures.isEmpty ? nil : 5 }
        try await writeStatus(result.status, of: workflow, object: object, key: key, log: log)
        observeTransition(from: workflow.status, to: result.status, log: log)
        if !storeFailures.isEmpty { return max(1, result.requeueAfter ?? 5) }
        return result.requeueAfter
    }

    /// The succeeded nodes of the workflow named by `spec.recoverFrom` (which of them may be
    /// reused is the engine's decision).
    private func recoverable(for workflow: Workflow, compiled: Result<CompiledWorkflow, InvalidWorkflowError>) -> [String: RecoverableNode] {
        guard case .success(let compiled) = compiled, let source = compiled.recoverFrom,
            let earlier = workflowLookup("\(workflow.metadata.namespace)/\(source)")
        else { return [:] }
        let earlierWorkflow = Workflow(json: earlier)
        return RecoverableNode.all(in: earlierWorkflow.metadata, status: earlierWorkflow.status, storeURL: config.engine.storeURL)
    }

    /// The client-side API rate limit and how long requests recently waited for it, which a
    /// map's pod creates wait in.
    private func apiRateLimit() -> APIRateLimit? {
        guard let client = kube as? KubeClient, let rate = client.rateLimit else { return nil }
        return APIRateLimit(requestsPerSecond: rate, recentWait: client.rateLimitRecentWait.seconds)
    }

    /// The informer's copy, unless the controller's own last write is newer.
    private func newest(_ key: String) -> JSONValue? {
        workflowLookup(key).map { ownWrites.newest($0, key: key) }
    }

    private func compile(_ workflow: Workflow, key: String) async throws -> Result<CompiledWorkflow, InvalidWorkflowError> {
        let generation = workflow.metadata.generation
        if let cached = compiledSpecs.cached(for: key, generation: generation) { return cached }
        var template: ObservedTemplate?
        if let name = workflow.spec["templateRef"]?["name"]?.stringValue {
            if let kept = workflow.status.templateSpec {
                template = .found(spec: kept)
            } else if let found = try await templateLookup(workflow.metadata.namespace, name) {
                template = .found(spec: found["spec"] ?? .null)
            } else {
                template = .missing
            }
        }
        return compiledSpecs.value(for: key, generation: generation) {
            WorkflowCompiler.compile(workflow.spec, namespace: workflow.metadata.namespace, template: template)
        }
    }

    private func observedPods(of workflow: Workflow, key: String, now: Timestamp) -> [ObservedPod] {
        let uid = workflow.metadata.uid
        var pods = podLookup(key, uid)
        // The Events that explain a waiting pod, looked up only for the pods that wait, in one pass.
        for i in pods.indices where pods[i].phase == .pending {
            let podKey = "\(workflow.metadata.namespace)/\(pods[i].name)"
            if pods[i].unschedulableSince != nil { pods[i].scaleUpAt = scaleUpLookup(podKey) }
            if pods[i].waitingReason == "ContainerCreating", let (at, message) = mountFailureLookup(podKey) {
                pods[i].mountFailure = MountFailure(at: at, message: message)
            }
        }
        return expectations.merge(pods, owner: key, now: now, grace: config.createdPodGrace)
    }

    /// Carries out the actions the engine awaits and records what came of them.
    private func carryOut(_ actions: [EngineAction], into results: inout ActionResults, workflow: Workflow, key: String,
                          log: Logger, now: Timestamp) async -> [StoreActions.Failure] {
        let creates = actions.compactMap { action -> PodRequest? in
            if case .createPod(let request) = action { return request }
            return nil
        }
        for case .dispatchItem(let item) in actions {
            dispatcher.dispatch(item, workflow: key, uid: workflow.metadata.uid)
            results.podCreates[item.name] = .created
        }
        let storeFailures = await storeActions.perform(actions.filter { !$0.isPodCreate }, into: &results)
        let outcomes = await withTaskGroup(of: (String, PodCreateOutcome).self) { group in
            var outcomes: [String: PodCreateOutcome] = [:]
            var running = 0
            for request in creates {
                if running >= config.podRequestConcurrency, let (name, outcome) = await group.next() {
                    outcomes[name] = outcome
                    running -= 1
                }
                running += 1
                group.addTask { (request.name, await self.createPod(request, workflow: workflow, key: key, log: log, now: now)) }
            }
            for await (name, outcome) in group { outcomes[name] = outcome }
            return outcomes
        }
        results.podCreates.merge(outcomes) { _, new in new }
        return storeFailures
    }

    private func createPod(_ request: PodRequest, workflow: Workflow, key: String, log: Logger, now: Timestamp) async -> PodCreateOutcome {
        do {
            if request.createsWorkflow {
                try await kube.createIgnoringAnswer(.workflows, namespace: workflow.metadata.namespace, object: request.manifest)
                log.info("created child workflow", metadata: ["node": "\(request.node)", "attempt": "\(request.attempt)", "child": "\(request.name)"])
            } else {
                try await kube.createIgnoringAnswer(.pods, namespace: workflow.metadata.namespace, object: shardLabelled(request.manifest, workflow: workflow))
                metrics.podsCreated()
            }
            // One line per pod is debug: a million-item map would flood the log at info.
            log.debug("created pod", metadata: ["node": "\(request.node)", "attempt": "\(request.attempt)", "pod": "\(request.name)"])
        } catch let error as KubeError where error.isAlreadyExists {
            // Created by an earlier reconcile whose status was not saved: the same attempt.
        } catch {
            let outcome = PodCreateOutcome(refusal: error)
            log.info("pod create refused", metadata: [
                "node": "\(request.node)", "attempt": "\(request.attempt)", "pod": "\(request.name)", "error": "\(error)",
            ])
            return outcome
        }
        var pod = ObservedPod(name: request.name, node: request.node, index: request.index, attempt: request.attempt, phase: .pending)
        pod.createdAt = now
        pod.isChildWorkflow = request.createsWorkflow
        (request.createsWorkflow ? childExpectations : expectations).expect(pod, owner: key, at: now)
        return .created
    }

    /// The pod with its shard's label when the controllers are sharded: the label only routes
    /// watch events to the replica that owns the Workflow, so it is added here, on the way
    /// out, rather than decided by the engine.
    private func shardLabelled(_ pod: JSONValue, workflow: Workflow) -> JSONValue {
        guard config.shards > 0 else { return pod }
        var pod = pod
        pod["metadata"]?["labels"]?[ShardFilter.podLabel] = .string(ShardFilter.podLabelValue(forWorkflowUID: workflow.metadata.uid, count: config.shards))
        return pod
    }

    private func apply(_ actions: [EngineAction], workflow: Workflow, log: Logger) async {
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            for action in actions {
                if running >= config.podRequestConcurrency { await group.next(); running -= 1 }
                running += 1
                group.addTask { await self.perform(action, workflow: workflow, log: log) }
            }
        }
    }

    private func perform(_ action: EngineAction, workflow: Workflow, log: Logger) async {
        switch action {
        case .deletePod(let name, let reason):
            // A worker pod being deleted takes no more items.
            dispatcher.retire(pod: name, workflow: "\(workflow.metadata.namespace)/\(workflow.metadata.name)", uid: workflow.metadata.uid)
            do {
                try await kube.deleteIgnoringAnswer(.pods, namespace: workflow.metadata.namespace, name: name, options: DeleteOptions(propagationPolicy: .background))
                log.debug("deleted pod", metadata: ["pod": "\(name)", "reason": "\(reason)"])
            } catch let error as KubeError where error.isNotFound {
            } catch {
                log.warning("cannot delete pod", metadata: ["pod": "\(name)", "error": "\(error)"])
            }
        case .abortChildWorkflow(let name):
            do {
                _ = try await kube.patch(.workflows, namespace: workflow.metadata.namespace, name: name, patch: .merge(["spec": ["abort": true]]))
                log.info("aborted child workflow", metadata: ["child": "\(name)"])
            } catch let error as KubeError where error.isNotFound {
            } catch {
                log.warning("cannot abort child workflow", metadata: ["child": "\(name)", "error": "\(error)"])
            }
        case .recordEvent(let event):
            switch event.attemptEnd {
            case .retried(let system)?:
                metrics.attemptFinished(.retried)
                metrics.retryStarted(system ? .system : .user)
            case .failed?: metrics.attemptFinished(.failed)
            case .succeeded?: metrics.attemptFinished(.succeeded)
            case nil: break
            }
            await recordEvent(event, on: workflow, log: log)
        case .deleteWorkflow(let uid):
            do {
                // The UID precondition: a Workflow re-created under the same name is not this one.
                try await kube.deleteIgnoringAnswer(
                    .workflows, namespace: workflow.metadata.namespace, name: workflow.metadata.name,
                    options: DeleteOptions(propagationPolicy: .background, preconditionUID: uid))
                log.info("deleted the workflow: its ttlAfterFinished passed")
            } catch let error as KubeError where error.isNotFound || error.isConflict {
            } catch {
                log.warning("cannot delete the finished workflow", metadata: ["error": "\(error)"])
            }
        case .addFinalizer, .removeFinalizer:
            // Carried out first, by applyFinalizers.
            break
        case .writeCache:
            var ignored = ActionResults()
            _ = await storeActions.perform([action], into: &ignored)
        case .releaseItem(let name):
            dispatcher.release(name, workflow: "\(workflow.metadata.namespace)/\(workflow.metadata.name)", uid: workflow.metadata.uid)
        case .createPod, .dispatchItem, .persistOutputs, .writeInputs, .archiveNode, .loadOutputs, .gatherOutputs, .lookupCache, .deleteStorePrefix:
            // Awaited actions are carried out in the rounds, never here.
            break
        }
    }

    /// Adds and removes the finalizers the engine asked for, with a merge patch guarded by
    /// the resourceVersion the decision was based on; returns the Workflow's resourceVersion after.
    private func applyFinalizers(_ actions: [EngineAction], of workflow: Workflow, key: String, log: Logger) async throws -> String {
        var finalizers = workflow.metadata.finalizers
        for action in actions {
            switch action {
            case .addFinalizer(let name) where !finalizers.contains(name): finalizers.append(name)
            case .removeFinalizer(let name): finalizers.removeAll { $0 == name }
            default: break
            }
        }
        guard finalizers != workflow.metadata.finalizers else { return workflow.metadata.resourceVersion }
        let patch: JSONValue = [
            "metadata": ["resourceVersion": .string(workflow.metadata.resourceVersion), "finalizers": .array(finalizers.map(JSONValue.string))],
        ]
        let updated = try await kube.patch(.workflows, namespace: workflow.metadata.namespace, name: workflow.metadata.name, patch: .merge(patch))
        ownWrites.record(updated, key: key)
        log.info("finalizers set", metadata: ["finalizers": "\(finalizers)"])
        return updated["metadata"]?["resourceVersion"]?.stringValue ?? workflow.metadata.resourceVersion
    }

    func recordEvent(_ event: WorkflowEvent, on workflow: Workflow, log: Logger) async {
        var eventLog = log
        if let node = event.node { eventLog[metadataKey: "node"] = "\(node)" }
        eventLog.log(level: event.kind == .warning ? .warning : .info, "\(event.message)", metadata: ["reason": "\(event.reason)"])
        let reference = ObjectReference(
            apiVersion: Workflow.apiVersion, kind: Workflow.kind, namespace: workflow.metadata.namespace,
            name: workflow.metadata.name, uid: workflow.metadata.uid)
        await events.record(reference, type: event.kind == .warning ? .warning : .normal, reason: event.reason, message: event.message)
    }

    /// Saves the status with a merge patch of what changed, guarded by the resourceVersion
    /// the decision was based on: a stale read fails with Conflict instead of overwriting.
    private func writeStatus(_ status: WorkflowStatus, of workflow: Workflow, object: JSONValue, key: String, log: Logger) async throws {
        guard let change = MergePatch.diff(from: object["status"], to: status.json) else { return }
        let patch: JSONValue = [
            "metadata": ["resourceVersion": .string(workflow.metadata.resourceVersion)],
            "status": change,
        ]
        // A status write cannot change the spec, and the resourceVersion guard means it is
        // the spec decided from: the answer's copy is not decoded again.
        var updated = try await kube.patchStatus(.workflows, namespace: workflow.metadata.namespace, name: workflow.metadata.name,
                                                 patch: .merge(patch), ignoring: ["spec"])
        updated["spec"] = object["spec"]
        ownWrites.record(updated, key: key)
    }

    private func observeTransition(from old: WorkflowStatus, to new: WorkflowStatus, log: Logger) {
        guard new.phase.isTerminal, !old.phase.isTerminal else { return }
        if let started = new.startedAt, let finished = new.finishedAt {
            metrics.workflowFinished(phase: new.phase.rawValue, duration: .milliseconds(Int64(max(0, finished - started) * 1000)))
        }
        log.info("workflow finished", metadata: ["phase": "\(new.phase.rawValue)", "message": "\(new.message ?? "")"])
    }
}
