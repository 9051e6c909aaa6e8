import CapstanAPI
import CapstanKube
import Foundation
import Logging

/// Carries out the core's actions: binds and status writes through bounded pools of
/// workers, local processes through the supervisor. Results that matter to the core (bind
/// outcomes, process exits) come back as inputs.
final class ActionPerformer: Sendable {
    struct BindJob: Sendable {
        var pod: PodReference
        var node: String
    }

    struct StatusJob: Sendable {
        var pod: PodReference
        /// nil: only delete.
        var status: JSONValue?
        var deleteAfter: Bool

        /// A newer write for the same pod wins, but a pending delete is never dropped.
        static func merge(_ old: StatusJob, _ new: StatusJob) -> StatusJob {
            guard old.pod.uid == new.pod.uid else { return new }
            var merged = new
            merged.status = new.status ?? old.status
            merged.deleteAfter = old.deleteAfter || new.deleteAfter
            return merged
        }
    }

    let client: KubeClient
    let inputs: AsyncStream<KubeletInput>.Continuation
    let supervisor: ProcessSupervisor?
    /// The scripted runtime's worker pods.
    let workers: SimulatedWorkers?
    let registrar: NodeRegistrar
    /// Nodes to register, one at a time, by a task the group owns (and cancels).
    let registrations: AsyncStream<NodeObjects>
    let pendingRegistrations: AsyncStream<NodeObjects>.Continuation
    let binds = CoalescingWorkers<BindJob>()
    let writes = CoalescingWorkers<StatusJob>(merge: StatusJob.merge)
    let logger: Logger

    init(client: KubeClient, inputs: AsyncStream<KubeletInput>.Continuation, runtime: SimulatedKubelets.Runtime,
         registrar: NodeRegistrar, logger: Logger) {
        self.client = client
        self.inputs = inputs
        self.registrar = registrar
        (registrations, pendingRegistrations) = AsyncStream<NodeObjects>.makeStream()
        self.logger = logger
        switch runtime {
        case .scripted:
            supervisor = nil
            workers = SimulatedWorkers(logger: logger) { inputs.yield($0) }
        case .process(let workDirectory, let logDirectory):
            supervisor = ProcessSupervisor(workDirectory: workDirectory, logDirectory: logDirectory, logger: logger)
            workers = nil
        }
    }

    func start(in group: inout TaskGroup<Void>, bindWorkers: Int, statusWorkers: Int) {
        group.addTask { await self.binds.run(workers: bindWorkers) { _, job in await self.bind(job) } }
        group.addTask { await self.writes.run(workers: statusWorkers) { _, job in await self.write(job) } }
        group.addTask { for await node in self.registrations { await self.registrar.registerAdded(node) } }
        if let supervisor {
            let inputs = self.inputs
            group.addTask { await supervisor.run { inputs.yield(.processExited($0)) } }
        }
        if let workers { group.addTask { await workers.run() } }
    }

    func perform(_ action: KubeletAction) async {
        switch action {
        case .bind(let pod, let node):
            await binds.submit(pod.key, BindJob(pod: pod, node: node))
        case .writeStatus(let pod, let status, let deleteAfter):
            await writes.submit(pod.key, StatusJob(pod: pod, status: status, deleteAfter: deleteAfter))
        case .delete(let pod):
            await writes.submit(pod.key, StatusJob(pod: pod, status: nil, deleteAfter: true))
        case .cancelStatusWrite(let key):
            writes.cancel(key)
        case .startProcess(let pod, let command):
            guard let supervisor else { return }
            let secrets: [ContainerCommand.SecretKey: Data]
            do {
                secrets = try await SecretValues.read(command.secretKeys, namespace: pod.namespace, client: client)
            } catch {
                let message = (error as? SecretValues.Missing)?.message ?? "cannot read the pod's secrets: \(error)"
                inputs.yield(.processConfigFailed(key: pod.key, uid: pod.uid, message: message))
                return
            }
            do {
                _ = try supervisor.start(pod, command: command, secrets: secrets)
            } catch where error.duringExec {
                inputs.yield(.processExited(supervisor.failedExec(pod, command: command, error)))
            } catch where error.duringConfig {
                inputs.yield(.processConfigFailed(key: pod.key, uid: pod.uid, message: error.description))
            } catch {
                inputs.yield(.processFailedToStart(key: pod.key, uid: pod.uid, message: error.startErrorMessage))
            }
        case .signalProcess(let key, let uid, let signal):
            supervisor?.signal(key: key, uid: uid, signal)
        case .startWorker(let pod, let worker):
            workers?.start(pod, worker)
        case .stopWorker(let key, let uid):
            workers?.stop(key: key, uid: uid)
        case .recordEvent(let pod, let event):
            // Best effort, as client-go's recorder: an event that cannot be written is dropped.
            let object = event.object(for: pod, at: KubeletCore.Moment.now().timestamp)
            let client = self.client
            Task { try? await client.createIgnoringAnswer(.events, namespace: pod.namespace, object: object) }
        case .registerNode(let node):
            pendingRegistrations.yield(node)
        }
    }

    /// POST pods/NAME/binding, as kube-scheduler binds; the uid guards against a pod
    /// recreated under the same name.
    private func bind(_ job: BindJob) async -> CoalescingWorkers<BindJob>.Result {
        let binding: JSONValue = [
            "apiVersion": "v1", "kind": "Binding",
            "metadata": ["name": .string(job.pod.name), "namespace": .string(job.pod.namespace), "uid": .string(job.pod.uid)],
            "target": ["apiVersion": "v1", "kind": "Node", "name": .string(job.node)],
        ]
        let result: BindResult
        do {
            _ = try await client.createSubresource(.pods, namespace: job.pod.namespace, name: job.pod.name,
                                                   subresource: "binding", object: binding)
            result = .bound
        } catch let error as KubeError where error.isNotFound || error.isConflict || error.isInvalid {
            logger.debug("binding refused", metadata: ["pod": "\(job.pod.key)", "error": "\(error)"])
            result = .refused
        } catch {
            if Task.isCancelled { return .done }
            logger.warning("binding failed", metadata: ["pod": "\(job.pod.key)", "node": "\(job.node)", "error": "\(error)"])
            result = .failed
        }
        inputs.yield(.bindFinished(key: job.pod.key, uid: job.pod.uid, result))
        return .done
    }

    /// A strategic-merge patch of `pods/NAME/status` (with the uid, which the API server
    /// checks), then the final delete when asked.
    private func write(_ job: StatusJob) async -> CoalescingWorkers<StatusJob>.Result {
        do {
            // The answers are not read: the pod's next state comes through the watch, and
            // decoding every pod sent back was CPU the sim's kubelets spend once per write.
            if let status = job.status {
                _ = try await client.patchStatus(.pods, namespace: job.pod.namespace, name: job.pod.name, patch: .strategicMerge([
                    "metadata": ["uid": .string(job.pod.uid)], "status": status,
                ]), ignoring: ["metadata", "spec", "status"])
            }
            if job.deleteAfter {
                try await client.deleteIgnoringAnswer(.pods, namespace: job.pod.namespace, name: job.pod.name,
                                                       options: DeleteOptions(gracePeriodSeconds: 0, preconditionUID: job.pod.uid))
            }
            return .done
        } catch let error as KubeError where error.isNotFound || error.isConflict {
            // Gone, or replaced by a pod of the same name: nothing of ours to write.
            return .done
        } catch {
            if Task.isCancelled { return .done }
            logger.warning("pod status write failed; retrying", metadata: ["pod": "\(job.pod.key)", "error": "\(error)"])
            return .retry
        }
    }
}
