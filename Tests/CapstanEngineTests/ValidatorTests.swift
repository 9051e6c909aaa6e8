import Foundation
import Testing
import CapstanAPI
@testable import CapstanEngine

/// One file per kind of mistake under Fixtures/invalid; each must be reported at its field
/// with a message a person can act on.
@Suite struct ValidatorTests {
    static func fixture(_ name: String) throws -> JSONValue {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: "yaml"))
        return try YAMLDocuments.load(String(contentsOf: url, encoding: .utf8))[0]
    }

    static func problems(_ name: String) throws -> [Diagnostic] {
        problems(of: try fixture("invalid/\(name)")["spec"] ?? .null)
    }

    /// Every problem compiling `spec` finds; none when it compiles.
    static func problems(of spec: JSONValue) -> [Diagnostic] {
        switch WorkflowCompiler.compile(spec) {
        case .success: return []
        case .failure(let error): return error.diagnostics
        }
    }

    @Test(arguments: [
        ("unknown-node", "spec.nodes[0].dependsOn[0]", "unknown node \"b\""),
        ("cycle", "spec.nodes[0]", "dependency cycle: \"a\" → \"c\" → \"b\" → \"a\""),
        ("duplicate-name", "spec.nodes[1].name", "duplicate node name \"a\""),
        ("bad-node-name", "spec.nodes[0].name", "must be a DNS-1123 label"),
        ("item-outside-map", "spec.nodes[0].command[1]", "item is only defined inside a map node"),
        ("unknown-output", "spec.nodes[1].command[1]", "node \"a\" has no output \"y\" (it declares \"x\")"),
        ("unknown-input", "spec.nodes[0].command[1]", "unknown workflow input \"rates\"; did you mean \"rate\"?"),
        ("bad-quantity", "spec.nodes[0].resources.requests.memory", "invalid quantity \"2GB\""),
        ("gpu-without-limit", "spec.nodes[0].resources.limits.nvidia.com/gpu", "Kubernetes requires a limit"),
        ("neuron-request-not-limit", "spec.nodes[0].resources.requests.aws.amazon.com/neuron", "must equal its limit"),
        ("bad-label-value", "spec.nodes[0].podMetadata.labels.team", "\"data science!\" is not a valid label value"),
        ("bad-duration", "spec.nodes[0].timeout", "invalid duration \"10 minutes\""),
        ("bad-when", "spec.nodes[1].when", "column"),
        ("missing-image", "spec.nodes[0].image", "is required"),
        ("unknown-field", "spec.nodes[0].retry", "unknown field \"retry\""),
        ("bad-enum", "spec.failurePolicy", "\"StopAll\" is not one of FailFast, Continue"),
        ("out-of-range", "spec.nodes[0].map.concurrency", "out of range"),
        ("unclosed-template", "spec.nodes[0].command[1]", "unclosed"),
        ("no-nodes", "spec.nodes", "at least one node"),
        ("self-dependency", "spec.nodes[0].dependsOn[0]", "cannot depend on itself"),
        ("wrong-type", "spec.nodes[0].command", "must be a list of strings"),
        ("map-workers", "spec.nodes[0].map.workers.replicas", "is required: how many worker pods take the items"),
    ])
    func reportsTheMistakeAtItsField(file: String, path: String, message: String) throws {
        let problems = try Self.problems(file)
        #expect(problems.contains { $0.path == path && $0.message.contains(message) }, "got: \(problems)")
    }

    @Test func reportsEveryProblemAtOnce() throws {
        let problems = try Self.problems("out-of-range")
        #expect(Set(problems.map(\.path)) == ["spec.nodes[0].map.concurrency", "spec.nodes[0].map.minSuccessRatio"])
    }

    @Test func theSpecExampleIsValid() throws {
        let compiled = try WorkflowCompiler.compile(Self.fixture("valid/spec-example")["spec"] ?? .null).get()
        #expect(compiled.nodes.map(\.name) == ["prep", "train", "pick", "publish"])
        #expect(compiled["pick"]?.dependencies == ["train"])
        #expect(compiled["publish"]?.dataDependencies == ["pick"])
        #expect(compiled["train"]?.settings.retries == 3)
        #expect(compiled["pick"]?.settings.retries == 2)
    }

    @Test func malformedYAMLIsAnErrorWithALine() throws {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/invalid/malformed-yaml", withExtension: "yaml"))
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(throws: YAMLDocuments.ParseError.self) { try YAMLDocuments.load(text) }
        do {
            _ = try YAMLDocuments.load(text)
        } catch {
            #expect(error.description.contains("6:1"))
        }
    }

    @Test func hostileInputGivesLocatedErrorsNotCrashes() throws {
        // Deep nesting is refused or read as nothing; either way no crash and no Workflow.
        let deep = try? YAMLDocuments.load(String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000))
        #expect(deep == nil || deep == [])
        let huge = try YAMLDocuments.load("nodes: [{name: a, image: x, retries: 1e300, map: {over: [1], concurrency: 99999999999999999999}}]")[0]
        guard case .failure(let error) = WorkflowCompiler.compile(huge) else {
            Issue.record("huge numbers were accepted")
            return
        }
        #expect(Set(error.diagnostics.map(\.path)) == ["spec.nodes[0].retries", "spec.nodes[0].map.concurrency"])
    }
}
