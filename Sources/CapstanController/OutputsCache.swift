import CapstanAPI
import NIOConcurrencyHelpers

/// A bounded cache of outputs objects by store key, so that a node's downstream reads do
/// not fetch the same object on every reconcile. Outputs objects never change once written.
final class OutputsCache: Sendable {
    private struct State {
        var entries: [String: [String: JSONValue]] = [:]
        var order: [String] = []
        var head = 0
    }
    private let state = NIOLockedValueBox(State())
    let capacity: Int

    init(capacity: Int = 10_000) { self.capacity = capacity }

    func get(_ key: String) -> [String: JSONValue]? { state.withLockedValue { $0.entries[key] } }

    func put(_ key: String, _ outputs: [String: JSONValue]) {
        state.withLockedValue { state in
            if state.entries.updateValue(outputs, forKey: key) == nil { state.order.append(key) }
            while state.entries.count > capacity, state.head < state.order.count {
                state.entries[state.order[state.head]] = nil
                state.head += 1
            }
            if state.head > 4096 {
                state.order.removeFirst(state.head)
                state.head = 0
            }
        }
    }
}
