import CapstanAPI
import NIOConcurrencyHelpers

/// The objects a reconciler last wrote, by key: the informer's copy may lag behind the
/// controller's own write, and deciding from the older copy would only fail with Conflict.
final class OwnWrites: Sendable {
    private let written = NIOLockedValueBox([String: JSONValue]())

    func record(_ object: JSONValue, key: String) { written.withLockedValue { $0[key] = object } }

    func forget(_ key: String) { written.withLockedValue { $0[key] = nil } }

    /// `cached`, unless this controller's own last write of the same object is newer.
    func newest(_ cached: JSONValue, key: String) -> JSONValue {
        guard let own = written.withLockedValue({ $0[key] }) else { return cached }
        let cachedVersion = UInt64(cached["metadata"]?["resourceVersion"]?.stringValue ?? "") ?? 0
        let ownVersion = UInt64(own["metadata"]?["resourceVersion"]?.stringValue ?? "") ?? 0
        let sameObject = cached["metadata"]?["uid"] == own["metadata"]?["uid"]
        return sameObject && ownVersion > cachedVersion ? own : cached
    }
}
