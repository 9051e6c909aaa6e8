import CapstanAPI
import CapstanController
import CapstanEngine

/// The workflow `capstan dev` runs: read from its file, checked as `capstan validate` checks
/// it, with the `--input` overrides applied and checked again.
struct DevWorkflow {
    /// The object to create: namespace `default`, no status.
    var object: JSONValue
    /// Nodes in the order the spec lists them.
    var nodeNames: [String]
    /// The namespace the file names, if any (`capstan submit` creates the Workflow there).
    var fileNamespace: String?

    /// Why the file cannot be run: lines in `capstan validate`'s format, for standard error.
    struct Problems: Error {
        var lines: [String]
    }

    static func load(path: String, overrides: [InputOverride]) throws(Problems) -> DevWorkflow {
        let documents: [WorkflowFile.Document]
        switch WorkflowFile.load(path: path) {
        case .unreadable(let reason):
            throw Problems(lines: ["\(path): error: \(reason)"])
        case .loaded(let loaded):
            documents = loaded
        }
        let problems = documents.flatMap { document in document.problems.map { "\(path): error: \($0.path): \($0.message)" } }
        if !problems.isEmpty { throw Problems(lines: problems) }
        if documents.contains(where: \.isCronWorkflow) {
            throw Problems(lines: ["\(path): error: the file holds a CronWorkflow, a schedule; this command runs one Workflow (apply a CronWorkflow with kubectl)"])
        }
        guard documents.count == 1 else {
            throw Problems(lines: ["\(path): error: the file holds \(documents.count) Workflows; capstan dev runs one at a time"])
        }
        var object = documents[0].object
        do {
            object = try InputOverride.apply(overrides, to: object)
        } catch {
            throw Problems(lines: ["\(path): error: \(error.description)"])
        }
        // An override can break what the file alone got right (a string where a map needs a list).
        let checked = WorkflowFile.check(object, prefix: "")
        guard checked.problems.isEmpty, let compiled = checked.compiled else {
            throw Problems(lines: checked.problems.map { "\(path): error: \($0.path): \($0.message) (after --input)" })
        }
        var metadata = object["metadata"]?.objectValue ?? [:]
        let fileNamespace = metadata["namespace"]?.stringValue
        metadata["namespace"] = "default"
        for field in ["resourceVersion", "uid", "creationTimestamp", "generation"] { metadata[field] = nil }
        var cleaned = object.objectValue ?? [:]
        cleaned["metadata"] = .object(metadata)
        cleaned["status"] = nil
        return DevWorkflow(object: .object(cleaned), nodeNames: compiled.nodes.map(\.name), fileNamespace: fileNamespace)
    }
}
