import ArgumentParser
import CapstanAPI
import CapstanEngine
import Foundation

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check Workflow files offline and print every problem found.",
        discussion: "Each problem is printed as FILE: error: FIELD.PATH: message. Exits 0 when every file is valid, 1 when any is invalid, 2 when a file cannot be read.")

    @Argument(help: "Workflow YAML or JSON files.")
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
                if problems.isEmpty {
                    let nodes = documents.reduce(0) { $0 + $1.nodeCount }
                    print("\(file): valid (\(documents.count == 1 ? "" : "\(documents.count) workflows, ")\(nodes) node\(nodes == 1 ? "" : "s"))")
                }
            }
            for line in problems { print(line) }
            if !problems.isEmpty { worst = max(worst, 1) }
        }
        if worst != 0 { throw ExitCode(worst) }
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
        var nodeCount: Int { compiled?.nodes.count ?? 0 }
    }

    enum Loaded {
        case unreadable(String)
        case loaded([Document])
    }

    static func load(path: String) -> Loaded {
        switch read(path: path) {
        case .unreadable(let reason):
            return .unreadable(reason)
        case .malformed(let problem):
            return .loaded([Document(workflow: Workflow(metadata: ObjectMeta(name: ""), spec: .null), problems: [problem])])
        case .parsed(let values):
            if values.isEmpty {
                return .loaded([Document(workflow: Workflow(metadata: ObjectMeta(name: ""), spec: .null), problems: [Diagnostic(path: "(file)", message: "the file holds no Workflow")])])
            }
            return .loaded(values.enumerated().map { i, value in check(value, prefix: prefix(i, of: values.count)) })
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

    /// How the fields of document `index` are located in a file of `count` documents.
    static func prefix(_ index: Int, of count: Int) -> String { count > 1 ? "[\(index)]." : "" }

    static func check(_ value: JSONValue, prefix: String) -> Document {
        var problems: [Diagnostic] = []
        guard case .object = value else {
            return Document(workflow: Workflow(metadata: ObjectMeta(name: ""), spec: .null),
                            problems: [Diagnostic(path: prefix.isEmpty ? "(document)" : String(prefix.dropLast()), message: "must be a Workflow object, not a \(value.typeName)")])
        }
        let workflow = Workflow(json: value)
        if value["apiVersion"]?.stringValue != Workflow.apiVersion {
            problems.append(Diagnostic(path: prefix + "apiVersion", message: "must be \(Workflow.apiVersion)"))
        }
        if value["kind"]?.stringValue != Workflow.kind {
            problems.append(Diagnostic(path: prefix + "kind", message: "must be \(Workflow.kind)"))
        }
        let name = value["metadata"]?["name"]?.stringValue
        let generateName = value["metadata"]?["generateName"]?.stringValue
        if name == nil && generateName == nil {
            problems.append(Diagnostic(path: prefix + "metadata.name", message: "is required"))
        } else if let name, !DNSName.isSubdomain(name) {
            problems.append(Diagnostic(path: prefix + "metadata.name", message: "\"\(name)\" is not a valid name: lower-case letters, digits, '-' and '.'"))
        }
        var compiled: CompiledWorkflow?
        switch WorkflowCompiler.compile(value["spec"] ?? .null) {
        case .success(let result): compiled = result
        case .failure(let error):
            problems += error.diagnostics.map { Diagnostic(path: prefix + $0.path, message: $0.message) }
        }
        return Document(workflow: workflow, problems: problems, compiled: compiled, object: value)
    }
}
