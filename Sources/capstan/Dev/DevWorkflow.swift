import CapstanAPI
import CapstanController
import CapstanEngine

/// The workflow `capstan dev` runs: checked as `capstan validate` checks it, with the
/// `--input` overrides applied and checked again.
struct DevWorkflow {
    /// The object to create: namespace `default`, no status.
    var object: JSONValue
    /// Nodes in the order the spec lists them: the main nodes, then the exit nodes.
    var nodeNames: [String]
    /// The exit nodes (`spec.onExit`) among them, which summaries set apart.
    var exitNodes: Set<String> = []
    /// The namespace the file names, if any (`capstan submit` creates the Workflow there).
    var fileNamespace: String?
    /// The approval nodes among them, which wait for `capstan approve`.
    var approvalNodes: [String] = []
    /// The nodes that run no pod (sleep and approval), so have no log.
    var podlessNodes: Set<String> = []

    /// Why the file cannot be run: lines in `capstan validate`'s format, for standard error.
    struct Problems: Error {
        var lines: [String]
    }

    /// The Workflow `document` of file `path`, already checked and found valid.
    static func make(_ document: WorkflowFile.Document, path: String, overrides: [InputOverride],
                     templates: [String: JSONValue] = [:]) throws(Problems) -> DevWorkflow {
        var object = document.object
        do {
            object = try InputOverride.apply(overrides, to: object)
        } catch {
            throw Problems(lines: ["\(path): error: \(error.description)"])
        }
        // An override can break what the file alone got right (a string where a map needs a list).
        let checked = WorkflowFile.check(object, prefix: "", templates: templates)
        guard checked.problems.isEmpty, let compiled = checked.compiled else {
            throw Problems(lines: checked.problems.map { "\(path): error: \($0.path): \($0.message) (after --input)" })
        }
        let fileNamespace = object["metadata"]?["namespace"]?.stringValue
        var workflow = DevWorkflow(object: cleaned(object), nodeNames: compiled.nodes.map(\.name), fileNamespace: fileNamespace)
        workflow.approvalNodes = compiled.nodes.filter { if case .approval = $0.kind { return true } else { return false } }.map(\.name)
        workflow.exitNodes = Set(compiled.nodes.filter(\.isExitNode).map(\.name))
        workflow.podlessNodes = Set(compiled.nodes.filter { !$0.kind.runsPods }.map(\.name))
        return workflow
    }

    /// `object` as `capstan dev` creates it: in namespace `default`, without what the API
    /// server sets (uid, resourceVersion, status).
    static func cleaned(_ object: JSONValue) -> JSONValue {
        var metadata = object["metadata"]?.objectValue ?? [:]
        metadata["namespace"] = "default"
        for field in ["resourceVersion", "uid", "creationTimestamp", "generation"] { metadata[field] = nil }
        var cleaned = object.objectValue ?? [:]
        cleaned["metadata"] = .object(metadata)
        cleaned["status"] = nil
        return .object(cleaned)
    }
}
