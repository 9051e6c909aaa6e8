import Synchronization

/// Wakes the polls that wait for work on a node when the engine dispatches to it, so an idle
/// worker's poll sleeps until there is an item or its long poll ends, instead of looking
/// every few milliseconds (a thousand idle workers would otherwise keep the controller busy).
///
/// A poll reads the node's `generation` before it looks at the queue and waits `since` it:
/// a dispatch between the look and the wait has already moved the generation on, so the wait
/// ends at once rather than missing the item.
final class WorkSignals<Key: Hashable & Sendable>: Sendable {
    private struct Node {
        var generation = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let nodes = Mutex<[Key: Node]>([:])
    private let nextID = Atomic<Int>(0)

    func generation(_ key: Key) -> Int { nodes.withLock { $0[key]?.generation ?? 0 } }

    /// Ends every wait on `key`.
    func signal(_ key: Key) {
        let woken = nodes.withLock { nodes -> [CheckedContinuation<Void, Never>] in
            var node = nodes[key] ?? Node()
            node.generation += 1
            let waiting = Array(node.waiters.values)
            node.waiters = [:]
            nodes[key] = node
            return waiting
        }
        for continuation in woken { continuation.resume() }
    }

    /// Returns once `key` is signalled after `generation`, or `timeout` has passed.
    func wait(_ key: Key, since generation: Int, timeout: Duration) async {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).newValue
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let ready = self.nodes.withLock { nodes -> Bool in
                        var node = nodes[key] ?? Node()
                        // Signalled since the caller looked, or the wait already ended (below).
                        if node.generation != generation { return true }
                        node.waiters[id] = continuation
                        nodes[key] = node
                        return false
                    }
                    if ready { continuation.resume() }
                }
            }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
            // Whichever ended first, end the other: a waiter still registered is resumed here;
            // one not yet registered finds the generation moved on and returns at once.
            let pending = self.nodes.withLock { nodes -> CheckedContinuation<Void, Never>? in
                var node = nodes[key] ?? Node()
                let continuation = node.waiters.removeValue(forKey: id)
                if continuation == nil { node.generation += 1 }
                nodes[key] = node
                return continuation
            }
            pending?.resume()
        }
    }

    /// Forgets `key` (its Workflow is gone); any wait on it ends.
    func forget(_ key: Key) {
        let woken = nodes.withLock { nodes in nodes.removeValue(forKey: key)?.waiters.values.map { $0 } ?? [] }
        for continuation in woken { continuation.resume() }
    }
}
