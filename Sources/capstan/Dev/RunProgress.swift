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
    /// The main DAG's nodes.
    public var nodes = Tally()
    /// Items of every map node together; zero total until a map node has started.
    public var items = Tally()
    /// Exit nodes (`spec.onExit`), counted apart: they run once the main DAG is over.
    public var exitNodes = Tally()
    /// Child Workflows of sub-workflow and dynamic nodes, at any depth; zero until one exists.
    public var children = Tally()

    /// `nodeNames` are all the workflow's nodes: the status lists a node only once the
    /// controller has looked at it, and the count should not grow as it does.
    public init(status: WorkflowStatus, nodeNames: [String], exitNodes exitNames: Set<String> = [], children childStatuses: [WorkflowStatus] = []) {
        phase = status.phase
        nodes.total = max(nodeNames.filter { !exitNames.contains($0) }.count, status.nodes.keys.filter { !exitNames.contains($0) }.count)
        exitNodes.total = exitNames.count
        for (name, node) in status.nodes {
            if exitNames.contains(name) {
                exitNodes.count(node.phase)
            } else {
                nodes.count(node.phase)
            }
            if let map = node.map {
                items.total += map.total
                items.done += map.succeeded
                items.running += map.running
                items.failed += map.failed
            }
        }
        children.total = childStatuses.count
        for child in childStatuses {
            switch child.phase {
            case .succeeded: children.done += 1
            case .pending, .running: children.running += 1
            case .failed: children.failed += 1
            case .aborted: children.aborted += 1
            }
        }
    }

    /// Share of the work finished, 0...1: a task node counts one, a map node one per item.
    /// Children are left out: their number grows as they are created, and the bar should not
    /// move backwards.
    public var fractionFinished: Double {
        let units = nodes.total + exitNodes.total + items.total
        guard units > 0 else { return 0 }
        return min(1, Double(nodes.finished + exitNodes.finished + items.finished) / Double(units))
    }
}

extension RunProgress.Tally {
    mutating func count(_ phase: NodePhase) {
        switch phase {
        case .succeeded, .skipped: done += 1
        case .running: running += 1
        case .failed: failed += 1
        case .aborted: aborted += 1
        case .pending: break
        }
    }
}
