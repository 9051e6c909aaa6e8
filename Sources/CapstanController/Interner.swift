import NIOConcurrencyHelpers

/// Hands out one shared copy of values that many pods repeat (a workflow's key and UID, a
/// node's name), so that fifty thousand pods of one workflow do not hold fifty thousand
/// copies of them. Bounded: past `capacity` distinct values it starts afresh, which only
/// costs sharing, never correctness.
final class Interner<Value: Hashable & Sendable>: Sendable {
    private let values = NIOLockedValueBox(Set<Value>())
    let capacity: Int

    init(capacity: Int = 100_000) { self.capacity = capacity }

    func intern(_ value: Value) -> Value {
        values.withLockedValue { set in
            if let existing = set.firstIndex(of: value) { return set[existing] }
            if set.count >= capacity { set.removeAll(keepingCapacity: true) }
            set.insert(value)
            return value
        }
    }
}

extension Interner<String> {
    /// Short strings live inside the String value itself; there is nothing to share.
    func internIfLong(_ string: String) -> String {
        string.utf8.count > 15 ? intern(string) : string
    }

    static let strings = Interner<String>()
}
