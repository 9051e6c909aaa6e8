import NIOConcurrencyHelpers

/// A value computed from an object's spec, kept per object key until the object's
/// `metadata.generation` changes: a spec is compiled once, not on every reconcile.
final class GenerationCache<Value: Sendable>: Sendable {
    private let entries = NIOLockedValueBox([String: (generation: Int, value: Value)]())

    func value(for key: String, generation: Int, compute: () -> Value) -> Value {
        if let cached = entries.withLockedValue({ $0[key] }), cached.generation == generation { return cached.value }
        let value = compute()
        entries.withLockedValue { $0[key] = (generation, value) }
        return value
    }

    func forget(_ key: String) { entries.withLockedValue { $0[key] = nil } }
}
