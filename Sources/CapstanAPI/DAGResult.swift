/// How a workflow's main nodes ended. A workflow with exit nodes (`spec.onExit`) keeps this in
/// its status while they run, so that a restarted controller ends it the same way.
public struct DAGResult: Sendable, Hashable {
    /// `Succeeded`, `Failed` or `Aborted`.
    public var phase: WorkflowPhase
    /// The workflow's reason had it ended now: `Succeeded`, `NodeFailed`, `DeadlineExceeded`, …
    public var reason: String
    public var message: String

    public init(phase: WorkflowPhase, reason: String, message: String) {
        self.phase = phase
        self.reason = reason
        self.message = message
    }

    public var json: JSONValue {
        ["phase": .string(phase.rawValue), "reason": .string(reason), "message": .string(message)]
    }

    public init?(json: JSONValue) {
        guard let phase = json["phase"]?.stringValue.flatMap(WorkflowPhase.init(rawValue:)), phase.isTerminal else { return nil }
        self.init(phase: phase, reason: json["reason"]?.stringValue ?? phase.rawValue, message: json["message"]?.stringValue ?? "")
    }
}
