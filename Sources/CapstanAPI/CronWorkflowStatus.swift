/// `CronWorkflow.status`: written only by the controller, read back tolerantly like
/// `WorkflowStatus` (unknown fields ignored, malformed ones defaulted).
public struct CronWorkflowStatus: Sendable, Hashable {
    /// The scheduled time of the latest run created (not when it was created).
    public var lastScheduleTime: Timestamp?
    /// The runs not yet finished, by name, sorted.
    public var active: [String] = []
    /// When the latest run that succeeded finished.
    public var lastSuccessfulTime: Timestamp?
    /// `Ready` (false with reason `InvalidSpec` while the spec cannot be used).
    public var conditions: [StatusCondition] = []

    public init() {}

    public func condition(_ type: String) -> StatusCondition? { conditions.first { $0.type == type } }

    public var json: JSONValue {
        var o: [String: JSONValue] = ["active": .array(active.map(JSONValue.string))]
        o["lastScheduleTime"] = lastScheduleTime.map { .string($0.rfc3339) }
        o["lastSuccessfulTime"] = lastSuccessfulTime.map { .string($0.rfc3339) }
        if !conditions.isEmpty { o["conditions"] = .array(conditions.map(\.json)) }
        return .object(o)
    }

    public init(json: JSONValue?) {
        self.init()
        guard let json, case .object = json else { return }
        lastScheduleTime = json["lastScheduleTime"]?.stringValue.flatMap(Timestamp.init(rfc3339:))
        active = json["active"]?.arrayValue?.compactMap(\.stringValue) ?? []
        lastSuccessfulTime = json["lastSuccessfulTime"]?.stringValue.flatMap(Timestamp.init(rfc3339:))
        conditions = json["conditions"]?.arrayValue?.compactMap(StatusCondition.init(json:)) ?? []
    }
}
