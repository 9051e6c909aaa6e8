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

    /// The value kept for this generation, if any.
    func cached(for key: String, generation: Int) -> Value? {
        entries.withLockedValue { $0[key] }.flatMap { $0.generation == generation ? $0.value : nil }
    }

    func forget(_ key: String) { entries.withLockedValue { $0[key] = nil } }
}
