import ArgumentParser
import CapstanAPI
import CapstanEngine
import Foundation

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check Workflow and CronWorkflow files offline and print every problem found.",
        discussion: "Each problem is printed as FILE: error: FIELD.PATH: message. Exits 0 when every file is valid, 1 when any is invalid, 2 when a file cannot be read.")

    @Argument(help: "Workflow or CronWorkflow YAML or JSON files.")
    var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one Workflow file") }
    }

    func run() throws {
        var worst: Int32 = 0
        for file in files {
            let problems: [String]
            switch WorkflowFile.load(path: file) {
            case .unreadable(let reason):
                print("\(file): error: \(reason)")
                worst = max(worst, 2)
                continue
            case .loaded(let documents):
                problems = documents.flatMap { document in
                    document.problems.map { "\(file): error: \($0.path): \($0.message)" }
                }
                if problems.isEmpty { print("\(file): valid (\(Self.summary(documents)))") }
            }
            for line in problems { print(line) }
            if !problems.isEmpty { worst = max(worst, 1) }
        }
        if worst != 0 { throw ExitCode(worst) }
    }

    /// `3 nodes`, `2 workflows, 5 nodes`, `1 cronworkflow, 2 nodes`: the nodes of every
    /// Workflow, a CronWorkflow's own included.
    static func summary(_ documents: [WorkflowFile.Document]) -> String {
        let crons = documents.filter(\.isCronWorkflow).count
        let workflows = documents.count - crons
        let nodes = documents.reduce(0) { $0 + $1.nodeCount }
        var parts: [String] = []
        if workflows > 1 || crons > 0 && workflows > 0 { parts.append("\(workflows) workflow\(workflows == 1 ? "" : "s")") }
        if crons > 0 { parts.append("\(crons) cronworkflow\(crons == 1 ? "" : "s")") }
        parts.append("\(nodes) node\(nodes == 1 ? "" : "s")")
        return parts.joined(separator: ", ")
    }
}

/// A file of Workflow documents, checked the way the controller will check them.
enum WorkflowFile {
    struct Document {
        var workflow: Workflow
        var problems: [Diagnostic]
        var compiled: CompiledWorkflow?
        /// The document as written (generateName, labels and all).
        var object: JSONValue = .null
        /// A CronWorkflow: `compiled` is its workflowSpec's, when it has one of its own.
        var isCronWorkflow = false
        var nodeCount: Int { compiled?.nodes.count ?? 0 }
    }

    enum Loaded {
        case unreadable(String)
        case loaded([Document])
    }

    static func load(path: String) -> Loaded {
        guard let data = FileManager.default.contents(atPath: path) else {
            return .unreadable(FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file")
        }
        guard let text = String(data: data, encoding: .utf8) else { return .unreadable("the file is not UTF-8 text") }
        let values: [JSONValue]
        do {
            values = try YAMLDocuments.load(text).filter { !$0.isNull }
        } catch {
            return .loaded([Document(workflow: Workflow(metadata: ObjectMeta(name: ""), spec: .null), problems: [Diagnostic(path: "(file)", message: error.description)])])
        }
        if values.isEmpty {
            return .loaded([Document(workflow: Workflow(metadata: ObjectMeta(name: ""), spec: .null), problems: [Diagnostic(path: "(file)", message: "the file holds no Workflow")])])
        }
        return .loaded(values.enumerated().map { i, value in check(value, prefix: values.count > 1 ? "[\(i)]." : "") })
    }

    static func check(_ value: JSONValue, prefix: String) -> Document {
        var problems: [Diagnostic] = []
        guard case .object = value else {
            return Document(workflow: Workflow(metadata: ObjectMeta(name: ""), spec: .null),
                            problems: [Diagnostic(path: prefix.isEmpty ? "(document)" : String(prefix.dropLast()), message: "must be a Workflow object, not a \(value.typeName)")])
        }
        if value["kind"]?.stringValue == CronWorkflow.kind { return checkCronWorkflow(value, prefix: prefix) }
        let workflow = Workflow(json: value)
        problems += header(value, kind: Workflow.kind, prefix: prefix)
        var compiled: CompiledWorkflow?
        switch WorkflowCompiler.compile(value["spec"] ?? .null) {
        case .success(let result): compiled = result
        case .failure(let error):
            problems += error.diagnostics.map { Diagnostic(path: prefix + $0.path, message: $0.message) }
        }
        return Document(workflow: workflow, problems: problems, compiled: compiled, object: value)
    }

    /// apiVersion, kind and a valid name (or generateName).
    static func header(_ value: JSONValue, kind: String, prefix: String) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        if value["apiVersion"]?.stringValue != Workflow.apiVersion {
            problems.append(Diagnostic(path: prefix + "apiVersion", message: "must be \(Workflow.apiVersion)"))
        }
        if value["kind"]?.stringValue != kind {
            problems.append(Diagnostic(path: prefix + "kind", message: "must be \(kind)"))
        }
        let name = value["metadata"]?["name"]?.stringValue
        let generateName = value["metadata"]?["generateName"]?.stringValue
        if name == nil && generateName == nil {
            problems.append(Diagnostic(path: prefix + "metadata.name", message: "is required"))
        } else if let name, !DNSName.isSubdomain(name) {
            problems.append(Diagnostic(path: prefix + "metadata.name", message: "\"\(name)\" is not a valid name: lower-case letters, digits, '-' and '.'"))
        }
        return problems
    }
}
