import CapstanAPI

/// Some of the step's pods (one node's), held as positions into the step's pod array, so
/// that grouping fifty thousand pods by node copies integers rather than pods.
struct PodList: RandomAccessCollection {
    private let all: [ObservedPod]
    private let positions: [Int]

    init(_ all: [ObservedPod], positions: [Int]) {
        self.all = all
        self.positions = positions
    }

    init(_ pods: [ObservedPod]) { self.init(pods, positions: Array(pods.indices)) }

    var startIndex: Int { 0 }
    var endIndex: Int { positions.count }
    subscript(position: Int) -> ObservedPod { all[positions[position]] }

    /// The pods grouped by node.
    static func byNode(_ pods: [ObservedPod]) -> [String: PodList] {
        var positions: [String: [Int]] = [:]
        for i in pods.indices { positions[pods[i].node, default: []].append(i) }
        return positions.mapValues { PodList(pods, positions: $0) }
    }
}

/// A map node's pods by item index. Running items sit in a window of indexes, so a flat
/// table over that window finds an item's first pod without hashing; only further attempts'
/// pods (rare) go through a dictionary.
struct PodsByIndex {
    let pods: PodList
    private let base: Int
    /// Position + 1 of the item's first pod, 0 for none; with the attempt, so looking needs no copy.
    private var slots: [(position: Int32, attempt: Int32)] = []
    private var more: [Int: [Int]] = [:]
    /// Items that have at least one pod.
    private(set) var indexes: [Int] = []

    init(_ pods: PodList, total: Int) {
        self.pods = pods
        var low = Int.max
        var high = Int.min
        for pod in pods {
            guard let index = pod.index, index >= 0, index < total else { continue }
            low = min(low, index)
            high = max(high, index)
        }
        base = low
        guard low <= high else { return }
        slots = Array(repeating: (0, 0), count: high - low + 1)
        for position in pods.indices {
            let pod = pods[position]
            guard let index = pod.index, index >= 0, index < total else { continue }
            if slots[index - low].position == 0 {
                slots[index - low] = (Int32(position + 1), Int32(truncatingIfNeeded: pod.attempt))
                indexes.append(index)
            } else {
                more[index, default: []].append(position)
            }
        }
    }

    /// The item's pod for `attempt`, if there is one.
    func pod(at index: Int, attempt: Int) -> ObservedPod? {
        guard index >= base, index - base < slots.count else { return nil }
        let slot = slots[index - base]
        guard slot.position > 0 else { return nil }
        if Int(slot.attempt) == attempt { return pods[Int(slot.position) - 1] }
        for other in more[index] ?? [] where pods[other].attempt == attempt { return pods[other] }
        return nil
    }
}
