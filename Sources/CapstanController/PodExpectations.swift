import CapstanAPI
import CapstanEngine
import NIOConcurrencyHelpers

/// Pods the controller created that its cache may not show yet. Without this, a reconcile
/// that runs before the watch delivers a new pod would think it was deleted.
final class PodExpectations: Sendable {
    private let created = NIOLockedValueBox([String: [String: (ObservedPod, Timestamp)]]())

    func expect(_ pod: ObservedPod, workflow: String, at now: Timestamp) {
        created.withLockedValue { $0[workflow, default: [:]][pod.name] = (pod, now) }
    }

    /// The observed pods plus the created ones not observed yet (within `grace` seconds).
    func merge(_ observed: [ObservedPod], workflow: String, now: Timestamp, grace: Double) -> [ObservedPod] {
        created.withLockedValue { all in
            guard var pending = all[workflow], !pending.isEmpty else { return observed }
            for pod in observed { pending[pod.name] = nil }
            pending = pending.filter { now - $0.value.1 < grace }
            all[workflow] = pending.isEmpty ? nil : pending
            return observed + pending.values.map(\.0)
        }
    }

    func forget(workflow: String) { created.withLockedValue { $0[workflow] = nil } }
}
