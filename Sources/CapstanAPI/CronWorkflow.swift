/// A CronWorkflow resource as read from the API server: a schedule that creates Workflows.
/// As with `Workflow`, the spec is kept as written and decoded separately, so that a
/// CronWorkflow with an invalid spec can still be loaded and its status can say why.
public struct CronWorkflow: Sendable, Hashable {
    public static let kind = "CronWorkflow"
    public static let plural = "cronworkflows"
    public static let shortName = "ccwf"
    /// The label every run carries, whose value is the CronWorkflow's name.
    public static let runLabel = "capstan.dev/cron"

    public var metadata: ObjectMeta
    public var spec: JSONValue
    public var status: CronWorkflowStatus

    public init(metadata: ObjectMeta, spec: JSONValue, status: CronWorkflowStatus = CronWorkflowStatus()) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public init(json: JSONValue) {
        self.init(metadata: ObjectMeta(json: json["metadata"]), spec: json["spec"] ?? .null,
                  status: CronWorkflowStatus(json: json["status"]))
    }

    public var json: JSONValue {
        ["apiVersion": .string(Workflow.apiVersion), "kind": .string(CronWorkflow.kind), "metadata": metadata.json,
         "spec": spec, "status": status.json]
    }
}
