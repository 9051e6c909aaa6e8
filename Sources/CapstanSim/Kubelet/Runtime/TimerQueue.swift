/// Every pending deadline of every pod in one binary heap, so that tens of thousands of
/// running pods cost one sleeping task rather than one each. Entries are never removed
/// early: whoever pops one checks that it still applies (the pod may be gone or finished).
struct TimerQueue<Entry> {
    private struct Item {
        var deadline: ContinuousClock.Instant
        var sequence: UInt64
        var entry: Entry

        func precedes(_ other: Item) -> Bool {
            deadline < other.deadline || (deadline == other.deadline && sequence < other.sequence)
        }
    }

    private var heap: [Item] = []
    private var sequence: UInt64 = 0

    var count: Int { heap.count }
    var isEmpty: Bool { heap.isEmpty }
    var nextDeadline: ContinuousClock.Instant? { heap.first?.deadline }

    mutating func schedule(_ entry: Entry, at deadline: ContinuousClock.Instant) {
        sequence += 1
        heap.append(Item(deadline: deadline, sequence: sequence, entry: entry))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the entries due at `now`, earliest first.
    mutating func popDue(_ now: ContinuousClock.Instant) -> [Entry] {
        var due: [Entry] = []
        while let first = heap.first, first.deadline <= now {
            due.append(first.entry)
            removeFirst()
        }
        return due
    }

    private mutating func removeFirst() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count && heap[left].precedes(heap[smallest]) { smallest = left }
            if right < heap.count && heap[right].precedes(heap[smallest]) { smallest = right }
            guard smallest != parent else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
