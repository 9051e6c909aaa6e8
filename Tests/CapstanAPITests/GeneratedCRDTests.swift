import Foundation
import Testing
@testable import CapstanAPI

/// config/crd and the chart's crds/ hold exactly what `capstan crd` prints.
@Suite struct GeneratedCRDTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(arguments: ["config/crd", "charts/capstan/crds"], [Workflow.plural, WorkflowTemplate.plural])
    func committedCRDMatchesTheTypes(folder: String, resource: String) throws {
        let path = "\(folder)/capstan.dev_\(resource).yaml"
        let committed = try String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8)
        let definition = resource == Workflow.plural ? WorkflowSchema.customResourceDefinition : WorkflowSchema.templateCustomResourceDefinition
        #expect(committed == YAMLWriter.write(definition), "\(path) is stale: run `swift run capstan crd \(resource) > \(path)`")
    }

    @Test func aTemplateHasTheWorkflowSpecAndNoStatus() throws {
        let template = WorkflowSchema.templateCustomResourceDefinition
        let version = try #require(template["spec"]?["versions"]?[0])
        #expect(template["spec"]?["names"]?["shortNames"] == ["cwft"])
        #expect(template["metadata"]?["name"] == "workflowtemplates.capstan.dev")
        #expect(version["subresources"] == nil)
        #expect(version["schema"]?["openAPIV3Schema"]?["properties"]?["spec"] == WorkflowSchema.spec)
        #expect(version["schema"]?["openAPIV3Schema"]?["properties"]?["status"] == nil)
    }

    @Test func crdDescribesTheResourceAsSpecified() throws {
        let crd = try YAMLDocuments.load(YAMLWriter.write(WorkflowSchema.customResourceDefinition))[0]
        #expect(crd == WorkflowSchema.customResourceDefinition)
        let version = try #require(crd["spec"]?["versions"]?[0])
        #expect(crd["spec"]?["names"]?["shortNames"] == ["cwf"])
        #expect(version["subresources"]?["status"] == [:])
        #expect(version["additionalPrinterColumns"]?.arrayValue?.map { $0["name"] } == ["Phase", "Progress", "Age"])
        let spec = try #require(version["schema"]?["openAPIV3Schema"]?["properties"]?["spec"])
        #expect(spec["properties"]?["failurePolicy"]?["enum"] == ["FailFast", "Continue"])
        #expect(spec["properties"]?["podGC"]?["enum"] == ["OnSuccess", "OnCompletion", "Never"])
    }

    /// Every node field the schema lists is one the decoder accepts, and the other way round.
    @Test func schemaAndDecoderAgreeOnNodeFields() throws {
        let nodeSchema = try #require(WorkflowSchema.spec["properties"]?["nodes"]?["items"]?["properties"]?.objectValue)
        let fields = Set(nodeSchema.keys)
        for field in fields {
            let (_, problems) = WorkflowSpec.decode(["nodes": [["name": "a", .init(stringLiteral: field): .null]]])
            #expect(!problems.contains { $0.message.contains("unknown field") }, "\(field) is in the schema but not decoded")
        }
        let (_, problems) = WorkflowSpec.decode(["nodes": [["name": "a", "notAField": 1]]])
        #expect(problems.contains { $0.message == "unknown field \"notAField\"" })
    }
}
