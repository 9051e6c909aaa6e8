import ArgumentParser
import CapstanAPI
import CapstanEngine
import CapstanKube
import Foundation

/// `capstan submit FILE` or `--from template/NAME`: checks the Workflow as `capstan validate`
/// does, creates it, and with `--watch` shows its progress as `capstan dev` does until it
/// finishes, then its tree.
struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Create a Workflow from a file or a WorkflowTemplate; --watch follows it to the end.",
        discussion: """
            The Workflow is checked first, exactly as capstan validate checks it (with the cluster's
            WorkflowTemplate when it has a templateRef). -p sets one of spec.inputs; VALUE is JSON when it
            parses as JSON, else a string. --from template/NAME creates NAME-xxxxx running that template.
            Ctrl-C stops watching; the Workflow keeps running (capstan abort stops it).
            Exits 0 when created (with --watch: when it Succeeded), 1 when it Failed or was Aborted (or the
            cluster refused it), 2 when it is invalid or the command is misused.
            Examples:
              capstan submit train.yaml
              capstan submit train.yaml -p epochs=20 -p 'rates=[0.1,0.01]' --generate-name --watch
              capstan submit --from template/nightly-train -p epochs=5 -n ml --watch
            """)

    @Argument(help: "The Workflow file (YAML or JSON).")
    var file: String?

    @Option(help: ArgumentHelp("Run a WorkflowTemplate of the namespace instead of a file.", valueName: "template/NAME"))
    var from: String?

    @Option(name: .customShort("p"), help: ArgumentHelp("Set one of spec.inputs (repeatable).", valueName: "NAME=VALUE"))
    var parameters: [String] = []

    @Flag(help: "Name the Workflow NAME-xxxxx (metadata.generateName) so the file can be submitted again.")
    var generateName = false

    @Flag(name: .shortAndLong, help: "Show live progress until the Workflow finishes, then its tree.")
    var watch = false

    @OptionGroup var cluster: ClusterOptions

    func validate() throws {
        guard (file == nil) != (from == nil) else { throw ValidationError("give a Workflow file or --from template/NAME, one of them") }
        if from != nil, templateName == nil {
            throw ValidationError("--from \(from!): expected template/NAME (or workflowtemplate/NAME, cwft/NAME)")
        }
        for parameter in parameters {
            do { _ = try InputOverride(parsing: parameter) } catch { throw ValidationError(error.description) }
        }
    }

    /// NAME of `--from template/NAME`.
    private var templateName: String? {
        guard let from, let slash = from.firstIndex(of: "/") else { return nil }
        let kind = from[..<slash].lowercased()
        let name = String(from[from.index(after: slash)...])
        return ["template", "workflowtemplate", "workflowtemplates", "cwft"].contains(kind) && !name.isEmpty ? name : nil
    }

    func run() async throws {
        var overrides: [InputOverride] = []
        for text in parameters {
            do { overrides.append(try InputOverride(parsing: text)) } catch { throw ValidationError(error.description) }
        }
        let peeked = file.map(SubmittedFile.peek) ?? (templates: [], namespace: nil)
        let referenced = peeked.templates
        // Without a template to fetch, a bad file is refused before any cluster is needed.
        var checked = file != nil && referenced.isEmpty ? try load(overrides, templates: [:]) : nil
        try await cluster.withClient { client, contextNamespace in
            let namespace = try namespace(file: checked?.fileNamespace ?? peeked.namespace, context: contextNamespace)
            if let name = templateName {
                checked = try await SubmittedFile.fromTemplate(name, overrides: overrides, namespace: namespace, client: client)
            } else if checked == nil {
                var templates: [String: JSONValue] = [:]
                for name in referenced {
                    guard let template = try await client.getIfPresent(.workflowTemplates, namespace: namespace, name: name) else {
                        // The controller would fail it with TemplateNotFound; better not to create it.
                        FileHandleOutput.standardError("Error from server (NotFound): workflowtemplates.capstan.dev \"\(name)\" not found in namespace \(namespace)")
                        throw ExitCode(1)
                    }
                    templates[name] = template["spec"] ?? .null
                }
                checked = try load(overrides, templates: templates)
            }
            guard let workflow = checked else { return }
            let created = try await create(workflow.object, namespace: namespace, client: client)
            let name = created["metadata"]?["name"]?.stringValue ?? ""
            print("workflow.capstan.dev/\(name) created")
            guard watch else { return }
            var follow = WorkflowWatch(client: client, namespace: namespace, name: name, nodeNames: workflow.nodeNames)
            follow.exitNodes = workflow.exitNodes
            let finished = try await follow.run()
            var tree = WorkflowTree(object: finished, now: Timestamp(Date()))
            tree.children = try await ChildRuns.list(client, namespace: namespace, parent: name)
                .children(of: finished["metadata"]?["uid"]?.stringValue ?? "")
            print(tree.lines.joined(separator: "\n"))
            let status = WorkflowStatus(json: finished["status"])
            if status.phase != .succeeded { throw ExitCode(1) }
        }
    }

    /// The checked Workflow; every problem is printed and the command exits 2.
    private func load(_ overrides: [InputOverride], templates: [String: JSONValue]) throws -> DevWorkflow {
        let file = file ?? ""
        do {
            let files = try DevFiles.load(paths: [file], secretFlags: [], overrides: overrides, knownTemplates: templates)
            guard files.secrets.isEmpty, files.templates.isEmpty else {
                FileHandleOutput.standardError("\(file): error: capstan submit creates the Workflow only; apply Secrets and WorkflowTemplates with kubectl")
                throw ExitCode(2)
            }
            return files.workflow
        } catch let problems as DevWorkflow.Problems {
            problems.lines.forEach(FileHandleOutput.standardError)
            throw ExitCode(2)
        }
    }

    /// kubectl's rule: `-n` and the file's namespace must agree; either wins over the context's.
    private func namespace(file: String?, context: String) throws -> String {
        if let file, let flag = cluster.namespace, file != flag {
            throw ValidationError("the namespace from the provided object \"\(file)\" does not match the namespace \"\(flag)\". "
                                  + "You must pass '--namespace=\(file)' to perform this operation.")
        }
        return cluster.namespace ?? file ?? context
    }

    private func create(_ object: JSONValue, namespace: String, client: KubeClient) async throws -> JSONValue {
        var object = object
        object["metadata"]?["namespace"] = .string(namespace)
        if generateName, let name = object["metadata"]?["name"]?.stringValue {
            object["metadata"]?["name"] = nil
            object["metadata"]?["generateName"] = .string(name.hasSuffix("-") ? name : name + "-")
        }
        do {
            return try await client.create(.workflows, namespace: namespace, object: object)
        } catch let error as KubeError where error.code >= 400 && error.code < 500 {
            FileHandleOutput.standardError("Error from server (\(error.reason)): \(error.message)")
            throw ExitCode(error.isInvalid || error.isBadRequest ? 2 : 1)
        }
    }
}
