import Foundation

/// `capstan run` as a real process against a cluster's kubeconfig. Kill it with `kill()`
/// (SIGKILL, to test crash recovery) or stop it with `stop()` (SIGTERM, a graceful drain).
public final class RunningController: @unchecked Sendable {
    public let storeDirectory: URL
    private let process: Process
    private let logFile: URL

    public static func start(kubeconfig: String, storeDirectory: URL? = nil, storeURL: String? = nil,
                             environment: [String: String] = [:], extraArguments: [String] = [],
                             binary: String? = nil) throws -> RunningController {
        let store = storeDirectory ?? FileManager.default.temporaryDirectory.appendingPathComponent("capstan-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: store, withIntermediateDirectories: true)
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-run-\(UUID().uuidString).log")
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else {
            throw ProcessRunnerError(description: "cannot create the controller's log file \(log.path)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try binary ?? CapstanBinary.path())
        process.arguments = [
            "run", "--kubeconfig", kubeconfig, "--store", storeURL ?? "file://\(store.path)",
            "--metrics-addr", "127.0.0.1:0", "--health-addr", "127.0.0.1:0", "--log-level", "debug",
        ] + extraArguments
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        try process.run()
        ChildProcesses.track(process)
        return RunningController(process: process, storeDirectory: store, logFile: log)
    }

    private init(process: Process, storeDirectory: URL, logFile: URL) {
        self.process = process
        self.storeDirectory = storeDirectory
        self.logFile = logFile
    }

    deinit { if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) } }

    public var isRunning: Bool { process.isRunning }
    public var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// SIGKILL: the controller gets no chance to clean up, as in a crash.
    public func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// SIGTERM, then waits; returns the exit code.
    public func stop(timeout: Double = 30) async throws -> Int32 {
        try await ProcessRunner.stop(process, name: "capstan run", timeout: timeout, output: { self.log })
    }
}
