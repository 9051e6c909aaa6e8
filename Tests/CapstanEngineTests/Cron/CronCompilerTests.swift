import Foundation
import Testing
import CapstanAPI
@testable import CapstanEngine

/// Each mistake in a CronWorkflow spec is reported at its field, as a person can fix it.
@Suite struct CronCompilerTests {
    static let nodes: JSONValue = [["name": "a", "image": "busybox"]]

    static func problems(_ spec: JSONValue) -> [Diagnostic] {
        guard case .failure(let error) = CronCompiler.compile(spec) else { return [] }
        return error.diagnostics
    }

    @Test func defaultsAreFilledIn() throws {
        let compiled = try CronCompiler.compile(["schedule": "@daily", "workflowSpec": ["nodes": Self.nodes]]).get()
        #expect(compiled.spec.timezone == "UTC" && compiled.zone.secondsFromGMT(for: Date()) == 0)
        #expect(compiled.spec.concurrencyPolicy == .allow && compiled.spec.startingDeadline == nil && !compiled.spec.suspend)
        #expect(compiled.spec.successfulHistoryLimit == 3 && compiled.spec.failedHistoryLimit == 1)
        #expect(compiled.spec.workflowSpec == ["nodes": Self.nodes])
    }

    static let mistakes: [(JSONValue, String, String)] = [
        (["workflowSpec": ["nodes": nodes]], "spec.schedule", "is required"),
        (["schedule": "@daily"], "spec.workflowSpec", "is required"),
        (["schedule": "61 * * * *", "workflowSpec": ["nodes": nodes]], "spec.schedule", "61 is out of range 0-59"),
        (["schedule": "@daily", "timezone": "Mars/Olympus", "workflowSpec": ["nodes": nodes]], "spec.timezone",
         "unknown time zone \"Mars/Olympus\""),
        (["schedule": "@daily", "concurrencyPolicy": "Queue", "workflowSpec": ["nodes": nodes]], "spec.concurrencyPolicy",
         "\"Queue\" is not one of Allow, Forbid, Replace"),
        (["schedule": "@daily", "startingDeadline": "soon", "workflowSpec": ["nodes": nodes]], "spec.startingDeadline", "invalid duration"),
        (["schedule": "@daily", "successfulHistoryLimit": -1, "workflowSpec": ["nodes": nodes]], "spec.successfulHistoryLimit", "out of range"),
        (["schedule": "@daily", "suspended": true, "workflowSpec": ["nodes": nodes]], "spec.suspended", "unknown field"),
        (["schedule": "@daily", "workflowSpec": [:]], "spec.workflowSpec.nodes", "is required"),
        (["schedule": "@daily", "workflowSpec": ["nodes": [["name": "a"]]]], "spec.workflowSpec.nodes[0].image", "is required"),
        (["schedule": "@daily", "workflowSpec": "nodes"], "spec.workflowSpec", "must be an object"),
        (["schedule": "@daily", "workflowSpec": ["templateRef": ["kind": "x"]]], "spec.workflowSpec.templateRef.name", "must be the name"),
    ]
    func reportsAtTheField(spec: JSONValue, path: String, message: String) {
        let found = Self.problems(spec)
        #expect(found.contains { $0.path == path && $0.message.contains(message) }, "\(found)")
    }

    /// A run's name must fit the 63 characters of a label value on its pods, as a CronJob's name
    /// is held to 52 for its Jobs'.
    @Test func theNameLeavesRoomForTheRunsSuffix() {
        let spec: JSONValue = ["schedule": "@daily", "workflowSpec": ["nodes": Self.nodes]]
        #expect(throws: Never.self) { try CronCompiler.compile(spec, name: String(repeating: "a", count: 52)).get() }
        guard case .failure(let error) = CronCompiler.compile(spec, name: String(repeating: "a", count: 53)) else {
            Issue.record("a 53-character name was accepted")
            return
        }
        #expect(error.diagnostics.map(\.path) == ["metadata.name"])
        #expect(error.diagnostics.first?.message.contains("at most 52") == true)
    }

    /// A template is resolved when a run starts: its Workflow spec is not known here.
    @Test func aTemplateReferenceIsCheckedOnlyForItsName() throws {
        let compiled = CronCompiler.compile(["schedule": "@daily", "workflowSpec": ["templateRef": ["name": "etl"], "inputs": ["day": 1]]])
        #expect(throws: Never.self) { try compiled.get() }
    }
}
