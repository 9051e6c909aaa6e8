import ArgumentParser
import CapstanAPI
import CapstanKube
import Foundation

/// `capstan submit FILE`: checks the Workflow as `capstan validate` does, creates it, and with
/// `--watch` shows its progress as `capstan dev` does until it finishes, then its tree.
struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Create a Workflow from a file; --watch follows it to the end.",
        discussion: """
            The file is checked first, exactly as capstan validate checks it. -p sets one of spec.inputs;
            VALUE is JSON when it parses as JSON, else a string. Ctrl-C stops watching; the Workflow keeps
            running (capstan abort stops it).
            Exits 0 when created (with --watch: when it Succeeded), 1 when it Failed or was Aborted (or the
            cluster refused it), 2 when it is invalid or the command is misused.
            Examples:
              capstan submit train.yaml
              capstan submit train.yaml -p epochs=20 -p 'rates=[0.1,0.01]' --generate-name --watch
            """)

    @Argument(help: "The Workflow file (YAML or JSON).")
    var file: String

    @Option(name: .customShort("p"), help: ArgumentHelp("Set one of spec.inputs (repeatable).", valueName: "NAME=VALUE"))
    var parameters: [String] = []

    @Flag(help: "Name the Workflow NAME-xxxxx (metadata.generateName) so the file can be submitted again.")
    var generateName = false

    @Flag(name: .shortAndLong, help: "Show live progress until the Workflow finishes, then its tree.")
    var watch = false

    @OptionGroup var cluster: ClusterOptions

    func validate() throws {
        for parameter in parameters {
            do { _ = try InputOverride(parsing: parameter) } catch { throw ValidationError(error.description) }
        }
    }

    func run() async throws {
        var overrides: [InputOverride] = []
        for text in parameters {
            do { overrides.append(try InputOverride(parsing: text)) } catch { throw ValidationError(error.description) }
        }
        guard let workflow = load(overrides) else { throw ExitCode(2) }
        try await cluster.withClient { client, contextNamespace in
            let namespace = try namespace(file: workflow.fileNamespace, context: contextNamespace)
            let created = try await create(workflow.object, namespace: namespace, client: client)
            let name = created["metadata"]?["name"]?.stringValue ?? ""
            print("workflow.capstan.dev/\(name) created")
            guard watch else { return }
            let finished = try await WorkflowWatch(client: client, namespace: namespace, name: name, nodeNames: workflow.nodeNames).run()
            print(WorkflowTree(object: finished, now: Timestamp(Date())).lines.joined(separator: "\n"))
            let status = WorkflowStatus(json: finished["status"])
            if status.phase != .succeeded { throw ExitCode(1) }
        }
    }

    /// The checked Workflow, or nil after printing every problem.
    private func load(_ overrides: [InputOverride]) -> DevWorkflow? {
        do {
            let files = try DevFiles.load(paths: [file], secretFlags: [], overrides: overrides)
            guard files.secrets.isEmpty else {
                FileHandleOutput.standardError("\(file): error: capstan submit creates the Workflow only; create its Secrets with kubectl apply")
                return nil
            }
            return files.workflow
        } catch {
            error.lines.forEach(FileHandleOutput.standardError)
            return nil
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
