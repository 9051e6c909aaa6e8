import CapstanAPI
import CapstanEngine

extension WorkflowFile {
    /// A CronWorkflow document, checked as the CronWorkflow controller checks it: its fields,
    /// schedule and time zone, and its workflowSpec as a Workflow's spec.
    static func checkCronWorkflow(_ value: JSONValue, prefix: String) -> Document {
        var problems = header(value, kind: CronWorkflow.kind, prefix: prefix)
        var compiled: CompiledWorkflow?
        switch CronCompiler.compile(value["spec"] ?? .null, name: value["metadata"]?["name"]?.stringValue) {
        case .success(let cron):
            // For the node count; a workflowSpec naming a template has no nodes of its own.
            compiled = try? WorkflowCompiler.compile(cron.spec.workflowSpec).get()
        case .failure(let error):
            problems += error.diagnostics.map { Diagnostic(path: prefix + $0.path, message: $0.message) }
        }
        return Document(workflow: Workflow(metadata: ObjectMeta(json: value["metadata"]), spec: value["spec"]?["workflowSpec"] ?? .null),
                        problems: problems, compiled: compiled, object: value, isCronWorkflow: true)
    }
}
