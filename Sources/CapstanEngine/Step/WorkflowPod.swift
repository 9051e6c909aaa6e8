import CapstanAPI

/// One of a Workflow's pods as `capstan logs` and `capstan ui` see it: which node, item and attempt it ran,
/// and whether its `main` container has a log yet.
public struct WorkflowPod: Sendable, Hashable {
    public var name: String
    public var node: String
    public var index: Int?
    public var attempt: Int
    /// `main` is running or has ended: there is a log to read.
    public var started: Bool

    /// `train[3](1)`: the prefix of each of its log lines.
    public var label: String { node + (index.map { "[\($0)]" } ?? "") + "(\(attempt))" }

    /// The pods of the Workflow with `uid` among `pods` (listed by its name label), those the
    /// filters select, ordered by the spec's node order, item, then attempt.
    public static func select(_ pods: [JSONValue], workflowUID: String, nodeOrder: [String],
                       node: String?, index: Int?, attempt: Int?) -> [WorkflowPod] {
        let selected = pods.compactMap { pod -> WorkflowPod? in
            let owners = pod["metadata"]?["ownerReferences"]?.arrayValue ?? []
            guard owners.contains(where: { $0["uid"]?.stringValue == workflowUID }),
                  let parsed = WorkflowPod(pod) else { return nil }
            if let node, parsed.node != node { return nil }
            if let index, parsed.index != index { return nil }
            if let attempt, parsed.attempt != attempt { return nil }
            return parsed
        }
        let position = Dictionary(nodeOrder.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        return selected.sorted {
            let left = (position[$0.node] ?? Int.max, $0.node, $0.index ?? -1, $0.attempt)
            let right = (position[$1.node] ?? Int.max, $1.node, $1.index ?? -1, $1.attempt)
            return left < right
        }
    }

    public init?(_ pod: JSONValue) {
        let labels = pod["metadata"]?["labels"]
        guard let name = pod["metadata"]?["name"]?.stringValue,
              let node = labels?[PodLabels.node]?.stringValue,
              let attempt = labels?[PodLabels.attempt]?.stringValue.flatMap(Int.init) else { return nil }
        self.name = name
        self.node = node
        self.attempt = attempt
        index = labels?[PodLabels.index]?.stringValue.flatMap(Int.init)
        let main = (pod["status"]?["containerStatuses"]?.arrayValue ?? []).first { $0["name"]?.stringValue == "main" }
        started = main?["state"]?["running"] != nil || main?["state"]?["terminated"] != nil
    }
}
