import ArgumentParser
import CapstanAPI
import CapstanEngine
import Foundation

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check Workflow and WorkflowTemplate files offline and print every problem found.",
        discussion: "Each problem is printed as FILE: error: FIELD.PATH: message. Exits 0 when every file is valid, 1 when any is invalid, 2 when a file cannot be read.")

    @Argument(help: "Workflow and WorkflowTemplate YAML or JSON files; a Workflow may run a template given in any of them.")
    var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one Workflow file") }
    }

    func run() throws {
        var worst: Int32 = 0
        // A Workflow may run a WorkflowTemplate given in any of the files.
        let templates = WorkflowFile.templates(in: files)
        for file in files {
            let problems: [String]
            switch WorkflowFile.load(path: file, templates: templates) {
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
                    var summary = "\(file): valid (\(documents.count == 1 ? "" : "\(documents.count) documents, ")\(nodes) node\(nodes == 1 ? "" : "s"))"
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
}
