import CapstanKube
import Synchronization

/// Requests to the API server, one pending job per pod, run by a fixed number of workers.
/// A job submitted while an older one for the same pod still waits replaces it (`merge`
/// decides how), so under load a pod's intermediate states are skipped rather than queued —
/// what a kubelet's status manager does. The same pod is never written by two workers at
/// once, so writes land in order.
final class CoalescingWorkers<Job: Sendable>: Sendable {
    enum Result: Sendable {
        case done
        /// Try again later (with per-pod exponential backoff) unless a newer job arrived.
        case retry
    }

    private let queue = WorkQueue<String>(backoff: ItemBackoff(base: .milliseconds(50), maximum: .seconds(10)), metrics: .none)
    private let jobs = Mutex<[String: Job]>([:])
    private let merge: @Sendable (Job, Job) -> Job

    init(merge: @escaping @Sendable (_ old: Job, _ new: Job) -> Job = { $1 }) {
        self.merge = merge
    }

    func submit(_ key: String, _ job: Job) async {
        jobs.withLock { jobs in jobs[key] = jobs[key].map { merge($0, job) } ?? job }
        await queue.add(key)
    }

    /// Drops the pod's job if no worker has taken it yet.
    func cancel(_ key: String) {
        _ = jobs.withLock { $0.removeValue(forKey: key) }
    }

    var pendingCount: Int { jobs.withLock { $0.count } }

    /// Runs `workers` loops until the calling task is cancelled.
    func run(workers: Int, perform: @escaping @Sendable (_ key: String, _ job: Job) async -> Result) async {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<max(1, workers) {
                group.addTask { [self] in
                    while let key = await queue.next() {
                        if let job = self.jobs.withLock({ $0.removeValue(forKey: key) }) {
                            switch await perform(key, job) {
                            case .done:
                                await queue.forget(key)
                            case .retry:
                                if !Task.isCancelled {
                                    let putBack = self.jobs.withLock { jobs -> Bool in
                                        guard jobs[key] == nil else { return false }
                                        jobs[key] = job
                                        return true
                                    }
                                    if putBack { await queue.addRateLimited(key) }
                                }
                            }
                        }
                        await queue.done(key)
                    }
                }
            }
        }
    }
}
