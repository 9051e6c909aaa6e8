import CapstanWorker
import Logging
import Synchronization

/// The scripted kubelet's worker pods: one in-process `WorkerLoop` per running worker pod,
/// talking HTTP to the controller at the pod's `CAPSTAN_DISPATCH_URL` as `capstan worker`
/// would, all over one shared HTTP client. The loop's end is the main container's exit;
/// cancelling it (the pod deleted or finished, its node lost) loses the item it held.
final class SimulatedWorkers: Sendable {
    private struct Entry: Sendable {
        var uid: String
        var task: Task<Void, Never>
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let client = Mutex<DispatchHTTPClient?>(nil)
    private let report: @Sendable (KubeletInput) -> Void
    private let logger: Logger

    /// `report` receives `.workerEnded` when a loop ends by itself or its script ends the pod.
    init(logger: Logger, report: @escaping @Sendable (KubeletInput) -> Void) {
        self.logger = logger
        self.report = report
    }

    var runningCount: Int { entries.withLock { $0.count } }

    func start(_ pod: PodReference, _ worker: WorkerPod) {
        let report = self.report
        let environment: WorkerEnvironment
        do {
            environment = try WorkerEnvironment(worker.environment)
        } catch {
            // As `capstan worker` exits with a bad environment.
            return report(.workerEnded(key: pod.key, uid: pod.uid, .exited(code: 1, message: "capstan worker: \(error)")))
        }
        var logger = self.logger
        logger[metadataKey: "pod"] = "\(pod.key)"
        let executor = ScriptedItemExecutor(script: worker.script) { outcome in
            report(.workerEnded(key: pod.key, uid: pod.uid, outcome))
        }
        let loop = WorkerLoop(claims: environment.claims, transport: httpClient().transport(environment),
                              executor: executor, logger: logger)
        let task = Task {
            let exit = await loop.run()
            switch exit {
            case .stopped:
                report(.workerEnded(key: pod.key, uid: pod.uid, .exited(code: 0, message: nil)))
            case .failed(let error):
                report(.workerEnded(key: pod.key, uid: pod.uid, .exited(code: Int(exit.exitCode), message: "capstan worker: \(error)")))
            case .cancelled:
                break
            }
        }
        let replaced = entries.withLock { $0.updateValue(Entry(uid: pod.uid, task: task), forKey: pod.key) }
        if let replaced, replaced.uid != pod.uid { replaced.task.cancel() }
    }

    /// Cancels the pod's loop, if it still runs. The core asks once the pod is finished or gone.
    func stop(key: String, uid: String) {
        let entry = entries.withLock { entries -> Entry? in
            guard entries[key]?.uid == uid else { return nil }
            return entries.removeValue(forKey: key)
        }
        entry?.task.cancel()
    }

    /// Waits until cancelled; then stops every loop and shuts the HTTP client down.
    func run() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(3600))
        }
        let tasks = entries.withLock { entries in
            defer { entries.removeAll() }
            return entries.values.map(\.task)
        }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        if let client = client.withLock({ client in defer { client = nil }; return client }) {
            await client.shutdown()
        }
    }

    private func httpClient() -> DispatchHTTPClient {
        client.withLock { client in
            if let client { return client }
            let made = DispatchHTTPClient(connectionsPerHost: 1024)
            client = made
            return made
        }
    }
}
