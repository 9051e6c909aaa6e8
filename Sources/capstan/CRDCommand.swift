import ArgumentParser
import CapstanAPI

struct CRDCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crd",
        abstract: "Print a CustomResourceDefinition as YAML (config/crd holds this output).",
        discussion: """
            config/crd/capstan.dev_RESOURCE.yaml is `capstan crd RESOURCE`:
              capstan crd workflows > config/crd/capstan.dev_workflows.yaml
              capstan crd workflowtemplates > config/crd/capstan.dev_workflowtemplates.yaml
            """)

    @Argument(help: "workflows or workflowtemplates.")
    var resource = "workflows"

    static let definitions: [String: JSONValue] = [
        Workflow.plural: WorkflowSchema.customResourceDefinition,
        WorkflowTemplate.plural: WorkflowSchema.templateCustomResourceDefinition,
    ]

    func validate() throws {
        guard Self.definitions[resource] != nil else {
            throw ValidationError("no CustomResourceDefinition for \"\(resource)\"; choose one of \(Self.definitions.keys.sorted().joined(separator: ", "))")
        }
    }

    func run() {
        print(YAMLWriter.write(Self.definitions[resource]!), terminator: "")
    }
}
