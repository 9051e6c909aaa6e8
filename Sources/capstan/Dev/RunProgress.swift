import CapstanAPI

/// How far a workflow has got, counted from its status: what `capstan dev` shows while it
/// waits. Two snapshots compare equal when nothing a person would notice has changed, so a
/// change is what triggers a new line of plain output.
public struct RunProgress: Sendable, Hashable {
    public struct Tally: Sendable, Hashable {
        public var total = 0
        /// Succeeded (cached included) or skipped: finished without a problem.
        public var done = 0
        public var running = 0
        public var failed = 0
        /// Stopped because of another node's failure or an abort.
        public var aborted = 0

        public init() {}
        public var finished: Int { done + failed + aborted }
    }

    public var phase: WorkflowPhase
    public var nodes = Tally()
    /// Items of every map node together; zero total until a map node has started.
    public var items = Tally()

    /// `nodeNames` are all the workflow's nodes: the status lists a node only once the
    /// controller has looked at it, and the count should not grow as it does.
    public init(status: WorkflowStatus, nodeNames: [String]) {
        phase = status.phase
        nodes.total = max(nodeNames.count, status.nodes.count)
        for (_, node) in status.nodes {
            switch node.phase {
            case .succeeded, .skipped: nodes.done += 1
            case .running: nodes.running += 1
            case .failed: nodes.failed += 1
            case .aborted: nodes.aborted += 1
            case .pending: break
            }
            if let map = node.map {
                items.total += map.total
                items.done += map.succeeded
                items.running += map.running
                items.failed += map.failed
            }
        }
    }

    /// Share of the work finished, 0...1: a task node counts one, a map node one per item.
    public var fractionFinished: Double {
        let units = nodes.total + items.total
        guard units > 0 else { return 0 }
        return min(1, Double(nodes.finished + items.finished) / Double(units))
    }
}
