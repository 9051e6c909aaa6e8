import ArgumentParser
import CapstanAPI
import CapstanEngine
import Foundation

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check Workflow, WorkflowTemplate and CronWorkflow files offline and print every problem found.",
        discussion: "Each problem is printed as FILE: error: FIELD.PATH: message. Exits 0 when every file is valid, 1 when any is invalid, 2 when a file cannot be read.")

    @Argument(help: "Workflow, WorkflowTemplate and CronWorkflow YAML or JSON files; a Workflow may run a template given in any of them.")
    var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one Workflow file") }
    }

    func run() throws {
        var worst: Int32 = 0
        // A Workflow may run a WorkflowTemplate given in any of the files.
        let reads = files.map { (file: $0, read: WorkflowFile.read(path: $0)) }
        let templates = WorkflowFile.templates(in: reads.map(\.read))
        for (file, read) in reads {
            let problems: [String]
            switch WorkflowFile.load(read, templates: templates) {
            case .unreadable(let reason):
                print("\(file): error: \(reason)")
                worst = max(worst, 2)
                continue
            case .loaded(let documents):
                problems = documents.flatMap { document in
                    document.problems.map { "\(file): error: \($0.path): \($0.message)" }
                }
                if problems.isEmpty {
                    var summary = "\(file): valid (\(Self.summary(documents)))"
                    let unresolved = documents.compactMap(\.unresolvedTemplate)
                    if !unresolved.isEmpty {
                        summary += "; WorkflowTemplate \(unresolved.joined(separator: ", ")) is not in the files given: "
                            + "only the fields beside templateRef were checked"
                    }
                    print(summary)
                }
            }
            for line in problems { print(line) }
            if !problems.isEmpty { worst = max(worst, 1) }
        }
        if worst != 0 { throw ExitCode(worst) }
    }

    /// `3 nodes`, `2 workflows, 5 nodes`, `1 workflow, 1 workflowtemplate, 2 nodes`: the
    /// nodes of every document, a CronWorkflow's own workflowSpec included.
    static func summary(_ documents: [WorkflowFile.Document]) -> String {
        let nodes = documents.reduce(0) { $0 + $1.nodeCount }
        let kinds = [(Workflow.kind, "workflow"), (WorkflowTemplate.kind, "workflowtemplate"), (CronWorkflow.kind, "cronworkflow")]
        let counts = kinds.map { kind, noun in (documents.filter { $0.kind == kind }.count, noun) }.filter { $0.0 > 0 }
        var parts: [String] = []
        if documents.count > 1 || counts.contains(where: { $0.1 != "workflow" }) {
            parts = counts.map { "\($0.0) \($0.1)\($0.0 == 1 ? "" : "s")" }
        }
        parts.append("\(nodes) node\(nodes == 1 ? "" : "s")")
        return parts.joined(separator: ", ")
    }
}
