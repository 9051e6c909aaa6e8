import Foundation
import TestSupport

/// `capstan dev` as a real process, each run with its own store folder.
enum Dev {
    static func example(_ name: String) -> String {
        CapstanBinary.packageRoot.appendingPathComponent("examples/\(name)").path
    }

    static func newStore() throws -> URL {
        let store = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-dev-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: store, withIntermediateDirectories: true)
        return store
    }

    /// Runs `capstan dev FILE ARGS... --store STORE` to the end.
    static func run(_ file: String, _ arguments: [String] = [], store: URL? = nil, json: Bool = true, timeout: Double = 120) async throws -> DevRunResult {
        let store = try store ?? newStore()
        let result = try await ProcessRunner.run(
            try CapstanBinary.path(), ["dev", file] + arguments + ["--store", store.path] + (json ? ["--output", "json"] : []),
            timeout: timeout)
        return DevRunResult(result: result, store: store)
    }

    /// A workflow file in a temporary folder.
    static func writeWorkflow(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-dev-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Processes whose command line contains `marker`, read from /proc (no tool needed).
    static func processes(containing marker: String) -> [Int32] {
        let ownPID = ProcessInfo.processInfo.processIdentifier
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> Int32? in
            guard let pid = Int32(entry), pid != ownPID,
                  let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return nil }
            let commandLine = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
            return commandLine.contains(marker) ? pid : nil
        }
    }
}
