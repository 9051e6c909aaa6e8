import CapstanAPI
import CapstanEngine
import Foundation

/// A file of Workflow and WorkflowTemplate documents, checked the way the controller will
/// check them.
enum WorkflowFile {
    struct Document {
        var workflow: Workflow
        var problems: [Diagnostic]
        var compiled: CompiledWorkflow?
        /// The document as written (generateName, labels and all).
        var object: JSONValue = .null
        /// `Workflow` or `WorkflowTemplate`.
        var kind: String { object["kind"]?.stringValue ?? Workflow.kind }
        /// A Workflow's `spec.templateRef` whose template was not among the documents given:
        /// only the fields beside the reference could be checked.
        var unresolvedTemplate: String?
        /// A CronWorkflow: `compiled` is its workflowSpec's, when it has one of its own.
        var isCronWorkflow = false
        var nodeCount: Int { compiled?.nodes.count ?? 0 }
    }

    enum Loaded {
        case unreadable(String)
        case loaded([Document])
    }

    /// The file's documents, checked; `templates` are the WorkflowTemplates' specs by name that
    /// a Workflow's `templateRef` may name (those of every file given together).
    static func load(path: String, templates: [String: JSONValue] = [:]) -> Loaded {
        load(read(path: path), templates: templates)
    }

    /// A file already read, checked.
    static func load(_ read: Read, templates: [String: JSONValue]) -> Loaded {
        switch read {
        case .unreadable(let reason):
            return .unreadable(reason)
        case .malformed(let problem):
            return .loaded([Document(workflow: Workflow(metadata: ObjectMeta(name: ""), spec: .null), problems: [problem])])
        case .parsed(let values):
            if values.isEmpty {
                return .loaded([Document(workflow: Workflow(metadata: ObjectMeta(name: ""), spec: .null), problems: [Diagnostic(path: "(file)", message: "the file holds no Workflow")])])
            }
            return .loaded(values.enumerated().map { i, value in check(value, prefix: prefix(i, of: values.count), templates: templates) })
        }
    }

    enum Read {
        case unreadable(String)
        /// Not YAML; the problem is located at `(file)` with the line.
        case malformed(Diagnostic)
        /// Its documents, empty ones left out.
        case parsed([JSONValue])
    }

    /// The documents of a YAML or JSON file, of whatever kind.
    static func read(path: String) -> Read {
        guard let data = FileManager.default.contents(atPath: path) else {
            return .unreadable(FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file")
        }
        guard let text = String(data: data, encoding: .utf8) else { return .unreadable("the file is not UTF-8 text") }
        do {
            return .parsed(try YAMLDocuments.load(text).filter { !$0.isNull })
        } catch {
            return .malformed(Diagnostic(path: "(file)", message: error.description))
        }
    }

    /// The WorkflowTemplates' specs by name among files already read (unreadable ones add none).
    static func templates(in reads: [Read]) -> [String: JSONValue] {
        var templates: [String: JSONValue] = [:]
        for case .parsed(let values) in reads {
            for value in values where value["kind"]?.stringValue == WorkflowTemplate.kind {
                if let name = value["metadata"]?["name"]?.stringValue { templates[name] = value["spec"] ?? .null }
            }
        }
        return templates
    }

    /// How the fields of document `index` are located in a file of `count` documents.
    static func prefix(_ index: Int, of count: Int) -> String { count > 1 ? "[\(index)]." : "" }

    static func check(_ value: JSONValue, prefix: String, templates: [String: JSONValue] = [:]) -> Document {
        var problems: [Diagnostic] = []
        guard case .object = value else {
            return Document(workflow: Workflow(metadata: ObjectMeta(name: ""), spec: .null),
                            problems: [Diagnostic(path: prefix.isEmpty ? "(document)" : String(prefix.dropLast()), message: "must be a Workflow object, not a \(value.typeName)")])
        }
        let kind = value["kind"]?.stringValue
        if kind == CronWorkflow.kind { return checkCronWorkflow(value, prefix: prefix) }
        let workflow = Workflow(json: value)
        problems += header(value, kind: kind == WorkflowTemplate.kind ? WorkflowTemplate.kind : Workflow.kind, prefix: prefix)
        let spec = value["spec"] ?? .null
        var unresolved: String?
        let result: Result<CompiledWorkflow, InvalidWorkflowError>
        if kind == WorkflowTemplate.kind, spec["templateRef"] != nil {
            result = .failure(InvalidWorkflowError([Diagnostic(path: "spec.templateRef", message: "a WorkflowTemplate lists its own nodes; it cannot run another template")]))
        } else if let reference = spec["templateRef"]?["name"]?.stringValue, templates[reference] == nil {
            // The template lives in the cluster: check what can be checked here.
            unresolved = reference
            let (_, own) = WorkflowSpec.decode(spec)
            result = own.isEmpty ? .failure(InvalidWorkflowError([])) : .failure(InvalidWorkflowError(own))
        } else {
            let template = spec["templateRef"]?["name"]?.stringValue.flatMap { templates[$0] }
            result = WorkflowCompiler.compile(spec, namespace: "", template: template.map { .found(spec: $0) })
        }
        var compiled: CompiledWorkflow?
        switch result {
        case .success(let value): compiled = value
        case .failure(let error): problems += error.diagnostics.map { Diagnostic(path: prefix + $0.path, message: $0.message) }
        }
        var document = Document(workflow: workflow, problems: problems, compiled: compiled, object: value)
        document.unresolvedTemplate = unresolved
        return document
    }

    /// apiVersion, kind and a valid name (or, for a Workflow, generateName).
    static func header(_ value: JSONValue, kind: String, prefix: String) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        if value["apiVersion"]?.stringValue != Workflow.apiVersion {
            problems.append(Diagnostic(path: prefix + "apiVersion", message: "must be \(Workflow.apiVersion)"))
        }
        if value["kind"]?.stringValue != kind {
            problems.append(Diagnostic(path: prefix + "kind", message: "must be \(Workflow.kind), \(WorkflowTemplate.kind) or \(CronWorkflow.kind)"))
        }
        let name = value["metadata"]?["name"]?.stringValue
        let generateName = value["metadata"]?["generateName"]?.stringValue
        if name == nil && (generateName == nil || kind != Workflow.kind) {
            problems.append(Diagnostic(path: prefix + "metadata.name", message: "is required"))
        } else if let name, !DNSName.isSubdomain(name) {
            problems.append(Diagnostic(path: prefix + "metadata.name", message: "\"\(name)\" is not a valid name: lower-case letters, digits, '-' and '.'"))
        }
        return problems
    }
}
