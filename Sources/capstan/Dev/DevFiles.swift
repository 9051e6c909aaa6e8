import CapstanAPI

/// What `capstan dev` is given to run (SPEC §13): one or more files holding the one
/// `Workflow` and any `Secret`s it reads, plus the Secrets of `--secret` flags. Every
/// problem in any of them is reported at once, located as `capstan validate` locates it.
struct DevFiles {
    var workflow: DevWorkflow
    /// Created before the Workflow, in the order given: files first, then flags.
    var secrets: [DevSecret]
    /// WorkflowTemplate objects of the files, created before the Workflow that runs one.
    var templates: [JSONValue] = []

    /// `knownTemplates`: WorkflowTemplates' specs by name from elsewhere (`capstan submit`
    /// reads the cluster's); the files' own come first.
    static func load(paths: [String], secretFlags: [String], overrides: [InputOverride],
                     knownTemplates: [String: JSONValue] = [:]) throws(DevWorkflow.Problems) -> DevFiles {
        var lines: [String] = []
        var workflows: [(path: String, document: WorkflowFile.Document)] = []
        var secrets: [(origin: String, secret: DevSecret)] = []
        var templateObjects: [JSONValue] = []
        // Each file read once: its templates are needed before any Workflow is checked.
        let reads = paths.map { (path: $0, read: WorkflowFile.read(path: $0)) }
        let templates = knownTemplates.merging(WorkflowFile.templates(in: reads.map(\.read))) { _, fromFiles in fromFiles }
        for (path, read) in reads {
            let values: [JSONValue]
            switch read {
            case .unreadable(let reason):
                lines.append("\(path): error: \(reason)")
                continue
            case .malformed(let problem):
                lines.append("\(path): error: \(problem.path): \(problem.message)")
                continue
            case .parsed(let parsed):
                values = parsed
            }
            for (i, value) in values.enumerated() {
                let prefix = WorkflowFile.prefix(i, of: values.count)
                switch value["kind"]?.stringValue {
                case "Secret":
                    let (secret, problems) = DevSecret.read(value, prefix: prefix)
                    lines += problems.map { "\(path): error: \($0.path): \($0.message)" }
                    if let secret { secrets.append((path, secret)) }
                case CronWorkflow.kind?:
                    lines.append("\(path): error: \(prefix)kind: the file holds a CronWorkflow, a schedule; capstan dev runs one Workflow "
                                 + "(apply a CronWorkflow with kubectl)")
                case WorkflowTemplate.kind?:
                    let document = WorkflowFile.check(value, prefix: prefix)
                    lines += document.problems.map { "\(path): error: \($0.path): \($0.message)" }
                    templateObjects.append(DevWorkflow.cleaned(value))
                case nil, Workflow.kind?:
                    // A document without a kind is taken for the Workflow, whose check says what it lacks.
                    let document = WorkflowFile.check(value, prefix: prefix, templates: templates)
                    lines += document.problems.map { "\(path): error: \($0.path): \($0.message)" }
                    if let missing = document.unresolvedTemplate {
                        lines.append("\(path): error: \(prefix)spec.templateRef.name: WorkflowTemplate \"\(missing)\" is not in the files given; "
                                     + "give the file that holds it too")
                    }
                    workflows.append((path, document))
                case let kind?:
                    lines.append("\(path): error: \(prefix)kind: capstan dev runs one Workflow with the WorkflowTemplates and Secrets it reads; "
                                 + "it cannot use a \(kind)")
                }
            }
        }
        for flag in secretFlags {
            do {
                secrets.append(("capstan dev", try DevSecret.parse(flag)))
            } catch {
                lines.append("capstan dev: error: \(error.description)")
            }
        }
        var seen: Set<String> = []
        for (origin, secret) in secrets where !seen.insert(secret.name).inserted {
            lines.append("\(origin): error: the Secret \"\(secret.name)\" is given twice")
        }
        switch workflows.count {
        case 1: break
        case 0: lines.append("capstan dev: error: no Workflow in \(paths.joined(separator: ", ")); give one file that holds one")
        default:
            lines.append("capstan dev: error: \(workflows.count) Workflows in \(Set(workflows.map(\.path)).sorted().joined(separator: ", ")); "
                         + "capstan dev runs one at a time")
        }
        guard lines.isEmpty else { throw DevWorkflow.Problems(lines: lines) }
        let workflow = try DevWorkflow.make(workflows[0].document, path: workflows[0].path, overrides: overrides, templates: templates)
        return DevFiles(workflow: workflow, secrets: secrets.map(\.secret), templates: templateObjects)
    }
}
