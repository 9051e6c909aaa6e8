import ArgumentParser
import CapstanAPI
import CapstanEngine
import CapstanKube

/// What `capstan submit` reads before it can check a Workflow: the templates a file's Workflow
/// runs, its namespace, and the Workflow `--from template/NAME` stands for.
enum SubmittedFile {
    /// What the file's Workflows name before they can be checked: the templates they run
    /// (`spec.templateRef`) and their namespace, if any. An unreadable file names nothing; its
    /// check says why.
    static func peek(_ path: String) -> (templates: [String], namespace: String?) {
        guard case .parsed(let values) = WorkflowFile.read(path: path) else { return ([], nil) }
        let workflows = values.filter { $0["kind"]?.stringValue != WorkflowTemplate.kind }
        return (workflows.compactMap { $0["spec"]?["templateRef"]?["name"]?.stringValue },
                workflows.lazy.compactMap { $0["metadata"]?["namespace"]?.stringValue }.first)
    }

    /// A Workflow `NAME-xxxxx` running template NAME with the `-p` inputs, checked against the
    /// template: a missing template is kubectl's NotFound and exit 1, an input it lacks exit 2.
    static func fromTemplate(_ name: String, overrides: [InputOverride], namespace: String, client: KubeClient) async throws -> DevWorkflow {
        guard let template = try await client.getIfPresent(.workflowTemplates, namespace: namespace, name: name) else {
            FileHandleOutput.standardError("Error from server (NotFound): workflowtemplates.capstan.dev \"\(name)\" not found in namespace \(namespace)")
            throw ExitCode(1)
        }
        var spec: JSONValue = ["templateRef": ["name": .string(name)]]
        if !overrides.isEmpty {
            spec["inputs"] = .object(Dictionary(overrides.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last }))
        }
        let object: JSONValue = [
            "apiVersion": .string(Workflow.apiVersion), "kind": .string(Workflow.kind),
            "metadata": ["generateName": .string("\(name)-"), "namespace": .string(namespace)], "spec": spec,
        ]
        let checked = WorkflowFile.check(object, prefix: "", templates: [name: template["spec"] ?? .null])
        guard checked.problems.isEmpty, let compiled = checked.compiled else {
            checked.problems.forEach { FileHandleOutput.standardError("template/\(name): error: \($0.path): \($0.message)") }
            throw ExitCode(2)
        }
        return DevWorkflow(object: object, nodeNames: compiled.nodes.map(\.name), fileNamespace: namespace)
    }
}
