/// `WorkflowTemplate` (SPEC §11): a Workflow spec kept in the cluster, run by Workflows that
/// name it in `spec.templateRef`. It never runs by itself, so it has no status.
public enum WorkflowTemplate {
    public static let apiVersion = Workflow.apiVersion
    public static let kind = "WorkflowTemplate"
    public static let plural = "workflowtemplates"
    public static let shortName = "cwft"
}
