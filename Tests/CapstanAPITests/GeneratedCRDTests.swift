import Foundation
import Testing
@testable import CapstanAPI

/// config/crd and the chart's crds/ hold exactly what `capstan crd` prints.
@Suite struct GeneratedCRDTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let definitions = ["workflows": WorkflowSchema.customResourceDefinition,
                              "workflowtemplates": WorkflowSchema.templateCustomResourceDefinition,
                              "cronworkflows": CronWorkflowSchema.customResourceDefinition]

    @Test(arguments: ["config/crd", "charts/capstan/crds"], ["workflows", "workflowtemplates", "cronworkflows"])
    func committedCRDMatchesTheTypes(folder: String, plural: String) throws {
        let path = "\(folder)/capstan.dev_\(plural).yaml"
        let committed = try String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8)
        let generated = YAMLWriter.write(try #require(Self.definitions[plural]))
        #expect(committed == generated, "\(path) is stale: run `swift run capstan crd \(plural) > \(path)`")
    }

    @Test func cronWorkflowCRDDescribesTheResourceAsSpecified() throws {
        let crd = try YAMLDocuments.load(YAMLWriter.write(CronWorkflowSchema.customResourceDefinition))[0]
        #expect(crd == CronWorkflowSchema.customResourceDefinition)
        #expect(crd["metadata"]?["name"] == "cronworkflows.capstan.dev")
        #expect(crd["spec"]?["names"]?["shortNames"] == ["ccwf"] && crd["spec"]?["names"]?["plural"] == "cronworkflows")
        let version = try #require(crd["spec"]?["versions"]?[0])
        #expect(version["subresources"]?["status"] == [:])
        #expect(version["additionalPrinterColumns"]?.arrayValue?.map { $0["name"] } == ["Schedule", "Suspend", "Last Schedule", "Active", "Age"])
        let spec = try #require(version["schema"]?["openAPIV3Schema"]?["properties"]?["spec"])
        #expect(spec["properties"]?["concurrencyPolicy"]?["enum"] == ["Allow", "Forbid", "Replace"])
        #expect(spec["required"] == ["schedule", "workflowSpec"])
    }

    /// Every spec field the schema lists is one the decoder accepts, and the other way round.
    @Test func cronSchemaAndDecoderAgreeOnFields() throws {
        let fields = try #require(CronWorkflowSchema.spec["properties"]?.objectValue).keys
        for field in fields {
            let (_, problems) = CronWorkflowSpec.decode(["schedule": "@daily", "workflowSpec": [:], .init(stringLiteral: field): .null])
            #expect(!problems.contains { $0.message.contains("unknown field") }, "\(field) is in the schema but not decoded")
        }
        let (_, problems) = CronWorkflowSpec.decode(["schedule": "@daily", "workflowSpec": [:], "notAField": 1])
        #expect(problems.contains { $0.message == "unknown field \"notAField\"" })
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
