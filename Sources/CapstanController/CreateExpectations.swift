import CapstanAPI
import CapstanEngine
import NIOConcurrencyHelpers

/// Something the controller creates by name and then waits to see in an informer's cache.
protocol CreatedObject: Sendable {
    var name: String { get }
}

extension ObservedPod: CreatedObject {}
extension ObservedRun: CreatedObject {}

/// Objects the controller created that its cache may not show yet, by owner key. Without
/// this, a reconcile that runs before the watch delivers a new pod would think it was
/// deleted, and a CronWorkflow would think its new run was not there.
final class CreateExpectations<Object: CreatedObject>: Sendable {
    private let created = NIOLockedValueBox([String: [String: (Object, Timestamp)]]())

    func expect(_ object: Object, owner: String, at now: Timestamp) {
        created.withLockedValue { $0[owner, default: [:]][object.name] = (object, now) }
    }

    /// The observed objects plus the created ones not observed yet (within `grace` seconds).
    func merge(_ observed: [Object], owner: String, now: Timestamp, grace: Double) -> [Object] {
        created.withLockedValue { all in
            guard var pending = all[owner], !pending.isEmpty else { return observed }
            for object in observed { pending[object.name] = nil }
            pending = pending.filter { now - $0.value.1 < grace }
            all[owner] = pending.isEmpty ? nil : pending
            return observed + pending.values.map(\.0)
        }
    }

    func forget(owner: String) { created.withLockedValue { $0[owner] = nil } }
}
