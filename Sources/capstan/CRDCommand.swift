import ArgumentParser
import CapstanAPI

struct CRDCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crd",
        abstract: "Print the CustomResourceDefinitions as YAML (config/crd holds this output, one file each).",
        discussion: """
            With no argument all are printed, as documents ready for `kubectl apply -f -`. Name one to print only \
            it: `capstan crd workflows > config/crd/capstan.dev_workflows.yaml`, and the same for \
            workflowtemplates and cronworkflows.
            """)

    @Argument(help: "workflows, workflowtemplates or cronworkflows; all when omitted.")
    var resource: String?

    /// Every CRD by its plural, from the one list the API module keeps.
    static var definitions: [(plural: String, crd: JSONValue)] {
        WorkflowSchema.customResourceDefinitions.map { ($0["spec"]?["names"]?["plural"]?.stringValue ?? "", $0) }
    }

    func validate() throws {
        if let resource, !Self.definitions.contains(where: { $0.plural == resource }) {
            throw ValidationError("unknown resource \"\(resource)\": use \(Self.definitions.map(\.plural).joined(separator: ", "))")
        }
    }

    func run() {
        let chosen = Self.definitions.filter { resource == nil || $0.plural == resource }
        print(chosen.map { YAMLWriter.write($0.crd) }.joined(separator: "---\n"), terminator: "")
    }
}
