import CapstanAPI
import CapstanEngine
import CapstanKube
import Foundation
import Logging

/// One reconcile of one CronWorkflow: gather its runs, let `CronWorkflowEngine` decide,
/// carry out the actions in order, save the status. Level-triggered like the Workflow
/// reconciler: a restart at any moment resumes from what the cluster shows, and a run's
/// name is fixed by its scheduled time, so a create repeated after a restart is refused
/// with AlreadyExists instead of starting a second run.
final class CronWorkflowReconciler: Sendable {
    let kube: any ResourceWriter & StatusWriter
    let cronLookup: @Sendable (String) -> JSONValue?
    let runLookup: @Sendable (String) -> [TrackedRun]
    let logger: Logger
    let now: @Sendable () -> Timestamp
    let events: EventRecorder
    /// Runs created that the run informer may not show yet: without them a Forbid policy
    /// could see no active run and start another.
    let expectations = CreateExpectations<ObservedRun>()
    static let createdRunGrace: Double = 120
    private let compiledSpecs = GenerationCache<Result<CompiledCron, InvalidWorkflowError>>()
    private let ownWrites = OwnWrites()

    init(kube: any ResourceWriter & StatusWriter, cronLookup: @escaping @Sendable (String) -> JSONValue?,
         runLookup: @escaping @Sendable (String) -> [TrackedRun], logger: Logger,
         now: @escaping @Sendable () -> Timestamp = { Timestamp(Date()) }) {
        self.kube = kube
        self.events = EventRecorder(client: kube, logger: logger)
        self.cronLookup = cronLookup
        self.runLookup = runLookup
        self.logger = logger
        self.now = now
    }

    /// Returns when to look again, if the engine asked.
    func reconcile(_ key: String) async throws -> Double? {
        // The informer's copy, unless the controller's own last write is newer.
        guard let object = cronLookup(key).map({ ownWrites.newest($0, key: key) }) else {
            // Deleted: nothing to remember about it.
            [expectations.forget(owner:), ownWrites.forget, compiledSpecs.forget].forEach { $0(key) }
            return nil
        }
        let cron = CronWorkflow(json: object)
        // Being deleted: the garbage collector deletes its runs; nothing more is scheduled.
        if cron.metadata.deletionTimestamp != nil { return nil }
        var log = logger
        log[metadataKey: "cronworkflow"] = "\(key)"
        let clock = now()
        let owned = runLookup(key).filter { $0.ownerUID == cron.metadata.uid }.map(\.observed)
        let runs = expectations.merge(owned, owner: key, now: clock, grace: Self.createdRunGrace)
        let result = CronWorkflowEngine.step(CronStepInput(
            metadata: cron.metadata, compiled: compile(cron, key: key), status: cron.status, runs: runs, now: clock))
        for action in result.actions {
            try await perform(action, cron: cron, key: key, log: log, now: clock)
        }
        try await writeStatus(result.status, of: cron, object: object, key: key)
        return result.requeueAfter
    }

    /// A failed create throws, so that the status never names a run that does not exist;
    /// a failed delete is only logged, as the next reconcile asks again.
    private func perform(_ action: CronAction, cron: CronWorkflow, key: String, log: Logger, now: Timestamp) async throws {
        let namespace = cron.metadata.namespace
        switch action {
        case .createRun(let name, let manifest):
            do {
                // Logged with the RunCreated event that follows.
                try await kube.createIgnoringAnswer(.workflows, namespace: namespace, object: manifest)
            } catch let error as KubeError where error.isAlreadyExists {
                // Created by an earlier reconcile whose status was not saved: the same run.
            }
            expectations.expect(ObservedRun(name: name, phase: .pending), owner: key, at: now)
        case .deleteRun(let name, let reason):
            do {
                try await kube.deleteIgnoringAnswer(.workflows, namespace: namespace, name: name,
                                                    options: DeleteOptions(propagationPolicy: .background))
                log.info("deleted run", metadata: ["workflow": "\(name)", "reason": "\(reason.rawValue)"])
            } catch let error as KubeError where error.isNotFound {
            } catch {
                log.warning("cannot delete run", metadata: ["workflow": "\(name)", "error": "\(error)"])
            }
        case .recordEvent(let event):
            log.log(level: event.kind == .warning ? .warning : .info, "\(event.message)", metadata: ["reason": "\(event.reason)"])
            let reference = ObjectReference(apiVersion: Workflow.apiVersion, kind: CronWorkflow.kind, namespace: namespace,
                                            name: cron.metadata.name, uid: cron.metadata.uid)
            await events.record(reference, type: event.kind == .warning ? .warning : .normal, reason: event.reason, message: event.message)
        }
    }

    private func compile(_ cron: CronWorkflow, key: String) -> Result<CompiledCron, InvalidWorkflowError> {
        compiledSpecs.value(for: key, generation: cron.metadata.generation) { CronCompiler.compile(cron.spec, name: cron.metadata.name) }
    }

    /// A merge patch of what changed to the status subresource, guarded by the
    /// resourceVersion the decision was based on.
    private func writeStatus(_ status: CronWorkflowStatus, of cron: CronWorkflow, object: JSONValue, key: String) async throws {
        guard let change = MergePatch.diff(from: object["status"], to: status.json) else { return }
        let patch: JSONValue = ["metadata": ["resourceVersion": .string(cron.metadata.resourceVersion)], "status": change]
        let updated = try await kube.patchStatus(.cronWorkflows, namespace: cron.metadata.namespace, name: cron.metadata.name,
                                                 patch: .merge(patch))
        ownWrites.record(updated, key: key)
    }
}
