import Testing
import CapstanAPI
@testable import CapstanEngine

/// SPEC §11: a Workflow with `spec.templateRef` runs its WorkflowTemplate's spec, its own
/// fields over the template's.
@Suite struct EngineTemplateTests {
    private let template = try! YAMLDocuments.load("""
        inputs: {epochs: 1, lr: 0.1}
        parallelism: 4
        defaults: {image: trainer:1}
        nodes:
          - {name: train, inputs: {epochs: "{{ inputs.epochs }}"}}
        """)[0]

    private func compile(_ yaml: String, template: ObservedTemplate?) throws -> Result<CompiledWorkflow, InvalidWorkflowError> {
        WorkflowCompiler.compile(try YAMLDocuments.load(yaml)[0], namespace: "ml", template: template)
    }

    @Test func theWorkflowsInputsOverrideTheTemplatesByNameAndOtherFieldsReplaceThem() throws {
        let compiled = try compile("templateRef: {name: train}\ninputs: {epochs: 20}\nparallelism: 2", template: .found(spec: template)).get()
        #expect(compiled.inputs == ["epochs": 20, "lr": 0.1], "epochs from the Workflow, lr kept from the template")
        #expect(compiled.parallelism == 2)
        #expect(compiled.nodes.map(\.name) == ["train"])
        #expect(compiled.templateSpec == template, "kept so the run does not change if the template does")
    }

    @Test func nodesGivenBesideTheReferenceReplaceTheTemplates() throws {
        let compiled = try compile("templateRef: {name: train}\nnodes: [{name: other, image: busybox}]", template: .found(spec: template)).get()
        #expect(compiled.nodes.map(\.name) == ["other"])
    }

    @Test(arguments: [
        ("templateRef: {name: train}\ninputs: {epoch: 3}", "spec.inputs.epoch",
         "WorkflowTemplate \"train\" declares no input \"epoch\"; its inputs are epochs, lr"),
        ("templateRef: {}", "spec.templateRef.name", "is required: the WorkflowTemplate to run"),
        ("templateRef: {name: train, version: 2}", "spec.templateRef.version", nil),
    ] as [(String, String, String?)])
    func mistakesBesideTheReferenceAreLocated(spec: String, path: String, message: String?) throws {
        guard case .failure(let error) = try compile(spec, template: .found(spec: template)) else {
            Issue.record("\(spec) compiled")
            return
        }
        let problem = try #require(error.diagnostics.first { $0.path == path }, "\(error)")
        if let message { #expect(problem.message == message) }
        #expect(error.reason == "InvalidSpec")
    }

    @Test func aMissingTemplateFailsTheWorkflowWithTemplateNotFound() throws {
        var h = try EngineHarness("defaults: {image: busybox}\nnodes: [{name: t}]")
        h.compiled = try compile("templateRef: {name: nightly}", template: .missing)
        _ = h.reconcile()
        #expect(h.status.phase == .failed)
        #expect(h.status.reason == "TemplateNotFound")
        #expect(h.status.message == "spec.templateRef.name: WorkflowTemplate \"nightly\" not found in namespace ml")
        #expect(h.status.condition("Stalled")?.reason == "TemplateNotFound")
        #expect(h.created.isEmpty)
    }

    @Test func theTemplateReadAtTheStartIsKeptInTheStatus() throws {
        var h = try EngineHarness("defaults: {image: busybox}\nnodes: [{name: t}]")
        h.compiled = try compile("templateRef: {name: train}\ninputs: {epochs: 3}", template: .found(spec: template))
        let status = h.runToCompletion()
        #expect(status.phase == .succeeded)
        #expect(status.templateSpec == template)
        #expect(h.created.first?.request.manifest["spec"]?["containers"]?[0]?["image"] == "trainer:1")
    }

    @Test func aTemplateThatItselfReferencesATemplateIsRefused() throws {
        var nested = template
        nested["templateRef"] = ["name": "base"]
        guard case .failure(let error) = try compile("templateRef: {name: train}", template: .found(spec: nested)) else {
            Issue.record("a template with a templateRef compiled")
            return
        }
        #expect(error.diagnostics.map(\.message) == ["WorkflowTemplate \"train\" itself has a templateRef; a template must list its own nodes"])
    }
}
