import ArgumentParser
import CapstanAPI

struct CRDCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crd", abstract: "Print the Workflow CustomResourceDefinition as YAML (config/crd holds this output).")

    func run() {
        print(YAMLWriter.write(WorkflowSchema.customResourceDefinition), terminator: "")
    }
}
