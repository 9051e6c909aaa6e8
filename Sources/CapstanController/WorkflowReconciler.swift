import CapstanAPI
import CapstanEngine
import CapstanKube
import CapstanStore
import Foundation
import Logging
import Metrics
import NIOConcurrencyHelpers

/// One reconcile of one Workflow: read what the cluster shows, let the engine decide, carry
/// out its actions, save the status. Level-triggered: it never needs to know what changed,
/// so a restart at any moment resumes from what the cluster shows.
final class WorkflowReconciler: Sendable {
    let kube: any KubeAPI
    let storeActions: StoreActions
    let config: ControllerConfig
    let workflowLookup: @Sendable (String) -> JSONValue?
    let podLookup: @Sendable (String) -> [TrackedPod]
    let logger: Logger
    let metrics: ControllerMetrics
    let now: @Sendable () -> Timestamp
    let expectations = PodExpectations()
    let events: EventRecorder
    private let compiledCache = NIOLockedValueBox([String: (generation: Int, compiled: Result<CompiledWorkflow, InvalidWorkflowError>)]())
    private let lastWritten = NIOLockedValueBox([String: JSONValue]())

    init(kube: any KubeAPI, storeActions: StoreActions, config: ControllerConfig,
         workflowLookup: @escaping @Sendable (String) -> JSONValue?, podLookup: @escaping @Sendable (String) -> [TrackedPod],
         logger: Logger, metrics: ControllerMetrics, now: @escaping @Sendable () -> Timestamp = { Timestamp(Date()) }) {
        self.metrics = metrics
        self.kube = kube
        self.storeActions = storeActions
        self.config = config
        self.workflowLookup = workflowLookup
        self.podLookup = podLookup
        self.logger = logger
        self.now = now
        self.events = EventRecorder(client: kube, logger: logger)
    }

    /// Returns when to look again, if the engine asked.
    func reconcile(_ key: String) async throws -> Double? {
        guard let object = newest(key) else {
            expectations.forget(workflow: key)
            lastWritten.withLockedValue { $0[key] = nil }
            compiledCache.withLockedValue { $0[key] = nil }
            return nil
        }
        let workflow = Workflow(json: object)
        if workflow.metadata.deletionTimestamp != nil { return nil }
        var log = logger
        log[metadataKey: "workflow"] = "\(key)"
        let compiled = compile(workflow, key: key)
        let engine = WorkflowEngine(config: config.engine)
        let clock = now()
        let pods = await observedPods(of: workflow, key: key, compiled: compiled, now: clock)

        var facts = StoreFacts()
        facts.recoverable = recoverable(for: workflow, compiled: compiled)
        var result = engine.step(StepInput(metadata: workflow.metadata, compiled: compiled, status: workflow.status, pods: pods, facts: facts, now: clock))
        var storeFailures: [StoreActions.Failure] = []
        for _ in 0..<8 {
            let queries = result.actions.filter(StoreActions.isStoreQuery)
            if queries.isEmpty { break }
            storeFailures = await storeActions.perform(queries, into: &facts)
            result = engine.step(StepInput(metadata: workflow.metadata, compiled: compiled, status: workflow.status, pods: pods, facts: facts, now: clock))
            if !storeFailures.isEmpty { break }
        }
        await apply(result.actions, workflow: workflow, key: key, log: log, now: clock)
        if let failure = storeFailures.first {
            await recordEvent(WorkflowEvent(.warning, reason: "StoreUnavailable", message: "cannot reach the store, will retry: \(failure)"), on: workflow, log: log)
        }
        try await writeStatus(result.status, of: workflow, object: object, key: key, log: log)
        observeTransition(from: workflow.status, to: result.status, log: log)
        if !storeFailures.isEmpty { return max(1, result.requeueAfter ?? 5) }
        return result.requeueAfter
    }

    /// The succeeded nodes of the workflow named by `spec.recoverFrom`, with their keys.
    private func recoverable(for workflow: Workflow, compiled: Result<CompiledWorkflow, InvalidWorkflowError>) -> [String: RecoverableNode] {
        guard case .success(let compiled) = compiled, let source = compiled.spec.recoverFrom,
            let earlier = workflowLookup("\(workflow.metadata.namespace)/\(source)")
        else { return [:] }
        let earlierWorkflow = Workflow(json: earlier)
        let layout = StorageLayout(
            namespace: earlierWorkflow.metadata.namespace, workflow: earlierWorkflow.metadata.name,
            uid: earlierWorkflow.metadata.uid, storeURL: config.engine.storeURL)
        var nodes: [String: RecoverableNode] = [:]
        for (name, node) in earlierWorkflow.status.nodes where node.phase == .succeeded {
            guard let key = node.key else { continue }
            nodes[name] = RecoverableNode(key: key, outputsKey: node.outputsURI == nil ? nil : layout.outputsKey(name), map: node.map)
        }
        return nodes
    }

    /// The informer's copy, unless the controller's own last write is newer.
    private func newest(_ key: String) -> JSONValue? {
        guard let cached = workflowLookup(key) else { return nil }
        guard let written = lastWritten.withLockedValue({ $0[key] }) else { return cached }
        let cachedVersion = UInt64(cached["metadata"]?["resourceVersion"]?.stringValue ?? "") ?? 0
        let writtenVersion = UInt64(written["metadata"]?["resourceVersion"]?.stringValue ?? "") ?? 0
        let sameObject = cached["metadata"]?["uid"] == written["metadata"]?["uid"]
        return sameObject && writtenVersion > cachedVersion ? written : cached
    }

    private func compile(_ workflow: Workflow, key: String) -> Result<CompiledWorkflow, InvalidWorkflowError> {
        let generation = workflow.metadata.generation
        if let cached = compiledCache.withLockedValue({ $0[key] }), cached.generation == generation { return cached.compiled }
        let compiled = WorkflowCompiler.compile(workflow.spec)
        compiledCache.withLockedValue { $0[key] = (generation, compiled) }
        return compiled
    }

    private func observedPods(of workflow: Workflow, key: String, compiled: Result<CompiledWorkflow, InvalidWorkflowError>, now: Timestamp) async -> [ObservedPod] {
        let uid = workflow.metadata.uid
        var pods = podLookup(key).filter { $0.workflowUID == nil || $0.workflowUID == uid }.map(\.observed)
        // Outputs too large for the termination message were uploaded to CAPSTAN_OUTPUTS_URI.
        if case .success(let compiled) = compiled {
            let layout = StorageLayout(namespace: workflow.metadata.namespace, workflow: workflow.metadata.name, uid: uid, storeURL: config.engine.storeURL)
            for i in pods.indices where pods[i].phase == .succeeded && (pods[i].terminationMessage ?? "").isEmpty {
                guard let node = compiled[pods[i].node], !node.outputs.isEmpty else { continue }
                if let uploaded = (try? await storeActions.readOutputs(layout.outputsKey(node.name, index: pods[i].index))) ?? nil {
                    pods[i].uploadedOutputs = .object(uploaded)
                }
            }
        }
        return expectations.merge(pods, workflow: key, now: now, grace: config.createdPodGrace)
    }

    private func apply(_ actions: [EngineAction], workflow: Workflow, key: String, log: Logger, now: Timestamp) async {
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            for action in actions where !StoreActions.isStoreQuery(action) {
                if running >= config.podRequestConcurrency { await group.next(); running -= 1 }
                running += 1
                group.addTask { await self.perform(action, workflow: workflow, key: key, log: log, now: now) }
            }
        }
    }

    private func perform(_ action: EngineAction, workflow: Workflow, key: String, log: Logger, now: Timestamp) async {
        switch action {
        case .createPod(let request):
            do {
                try await kube.createIgnoringAnswer(.pods, namespace: workflow.metadata.namespace, object: request.manifest)
                metrics.podsCreated()
                // One line per pod is debug: a million-item map would flood the log at info.
                log.debug("created pod", metadata: ["node": "\(request.node)", "attempt": "\(request.attempt)", "pod": "\(request.name)"])
            } catch let error as KubeError where error.isAlreadyExists {
                // Created by an earlier reconcile whose status was not saved: the same attempt.
            } catch {
                log.warning("cannot create pod", metadata: ["node": "\(request.node)", "attempt": "\(request.attempt)", "error": "\(error)"])
                return
            }
            var pod = ObservedPod(name: request.name, node: request.node, index: request.index, attempt: request.attempt, phase: .pending)
            pod.createdAt = now
            expectations.expect(pod, workflow: key, at: now)
        case .deletePod(let name, let reason):
            do {
                try await kube.deleteIgnoringAnswer(.pods, namespace: workflow.metadata.namespace, name: name, options: DeleteOptions(propagationPolicy: .background))
                log.debug("deleted pod", metadata: ["pod": "\(name)", "reason": "\(reason)"])
            } catch let error as KubeError where error.isNotFound {
            } catch {
                log.warning("cannot delete pod", metadata: ["pod": "\(name)", "error": "\(error)"])
            }
        case .recordEvent(let event):
            switch event.reason {
            case "AttemptFailed":
                let system = FailureReason.allCases.filter(\.isSystem).contains { event.message.contains(": \($0.rawValue)") }
                metrics.attemptFinished(.retried)
                metrics.retryStarted(system ? .system : .user)
            case "NodeFailed", "ItemFailed": metrics.attemptFinished(.failed)
            case "NodeSucceeded": metrics.attemptFinished(.succeeded)
            default: break
            }
            await recordEvent(event, on: workflow, log: log)
        case .writeCache:
            var ignored = StoreFacts()
            _ = await storeActions.perform([action], into: &ignored)
        case .persistOutputs, .loadOutputs, .gatherOutputs, .lookupCache:
            break
        }
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
        let updated = try await kube.patchStatus(.workflows, namespace: workflow.metadata.namespace, name: workflow.metadata.name, patch: .merge(patch))
        lastWritten.withLockedValue { $0[key] = updated }
    }

    private func observeTransition(from old: WorkflowStatus, to new: WorkflowStatus, log: Logger) {
        guard new.phase.isTerminal, !old.phase.isTerminal else { return }
        if let started = new.startedAt, let finished = new.finishedAt {
            metrics.workflowFinished(phase: new.phase.rawValue, duration: .milliseconds(Int64(max(0, finished - started) * 1000)))
        }
        log.info("workflow finished", metadata: ["phase": "\(new.phase.rawValue)", "message": "\(new.message ?? "")"])
    }
}
