import CapstanAPI
import Foundation
import TestSupport

/// What one `capstan dev` run left: its exit, output and store folder.
struct DevRunResult: Sendable {
    let result: ProcessResult
    let store: URL

    var exitCode: Int32 { result.exitCode }
    var stderr: String { result.stderr }
    /// The finished Workflow, for runs with `--output json`.
    var workflow: JSONValue? { try? JSONValue.parse(result.stdout) }
    var outputs: JSONValue? { workflow?["status"]?["outputs"] }
    func node(_ name: String) -> JSONValue? { workflow?["status"]?["nodes"]?[name] }

    /// Attempt logs whose pod name starts with `WORKFLOW-NODE-`.
    func logs(workflow: String, node: String) -> [String] {
        let folder = store.appendingPathComponent("logs/default")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasPrefix("\(workflow)-\(node)-") }.sorted().map { folder.appendingPathComponent($0).path }
    }
}
