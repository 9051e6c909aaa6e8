import Foundation
import Synchronization

/// `capstan sim` running as a real process on a free loopback port, with its kubeconfig and
/// audit log in a temporary directory. Stop it with `stop()`; it is killed when released.
public final class SimProcess: @unchecked Sendable {
    public let url: URL
    public let directory: URL
    public let kubeconfigPath: String
    public let auditLogPath: String
    private let process: Process
    private let output: SimOutput
    /// The read ends of its stdout and stderr, closed when it stops: left to themselves they
    /// stay open, and a suite that starts a hundred sims would run out of descriptors.
    private let outputHandles: [FileHandle]

    /// Starts the sim and waits until it prints its listening line.
    public static func start(_ extraArguments: [String] = [], timeout: Double = 120, binary: String? = nil) async throws -> SimProcess {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-sim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let kubeconfig = directory.appendingPathComponent("kubeconfig").path
        let audit = directory.appendingPathComponent("audit.log").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try binary ?? CapstanBinary.path())
        process.arguments = ["sim", "--listen", "127.0.0.1:0", "--kubeconfig-out", kubeconfig, "--audit-log", audit] + extraArguments
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        let output = SimOutput()
        stdout.fileHandleForReading.readabilityHandler = { handle in output.append(handle.availableData, stderr: false) }
        stderr.fileHandleForReading.readabilityHandler = { handle in output.append(handle.availableData, stderr: true) }
        try process.run()
        ChildProcesses.track(process)
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let url = output.listeningURL() {
                return SimProcess(url: url, directory: directory, kubeconfig: kubeconfig, audit: audit, process: process,
                                  output: output, outputHandles: [stdout.fileHandleForReading, stderr.fileHandleForReading])
            }
            if !process.isRunning || Date() > deadline {
                process.terminate()
                Self.closeOutput([stdout.fileHandleForReading, stderr.fileHandleForReading])
                throw ProcessRunnerError(description: "capstan sim did not become ready: \(output.text())")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    private init(url: URL, directory: URL, kubeconfig: String, audit: String, process: Process, output: SimOutput,
                 outputHandles: [FileHandle]) {
        self.url = url
        self.directory = directory
        kubeconfigPath = kubeconfig
        auditLogPath = audit
        self.process = process
        self.output = output
        self.outputHandles = outputHandles
    }

    private static func closeOutput(_ handles: [FileHandle]) {
        for handle in handles {
            handle.readabilityHandler = nil
            try? handle.close()
        }
    }

    deinit {
        if process.isRunning { process.terminate() }
        Self.closeOutput(outputHandles)
        try? FileManager.default.removeItem(at: directory)
    }

    public var isRunning: Bool { process.isRunning }

    /// Everything the sim printed so far, for failure messages.
    public var log: String { output.text() }

    /// Sends SIGTERM and waits for the exit status. The default wait bounds a hang, not a
    /// speed: at a suite's start dozens of processes share the cores.
    @discardableResult
    public func stop(timeout: Double = 30) async throws -> Int32 {
        defer { Self.closeOutput(outputHandles) }
        return try await ProcessRunner.stop(process, name: "capstan sim", timeout: timeout, output: { self.log })
    }

    /// Runs the installed kubectl against this sim, with a discovery cache of its own.
    public func kubectl(_ arguments: String..., stdin: String? = nil, timeout: Double = 120) async throws -> ProcessResult {
        try await kubectl(arguments, stdin: stdin, timeout: timeout)
    }

    /// A kubectl that does not finish in time fails with the sim's last lines, which show
    /// whether the sim was answering.
    public func kubectl(_ arguments: [String], stdin: String? = nil, timeout: Double = 120) async throws -> ProcessResult {
        let cache = directory.appendingPathComponent("kube-cache").path
        do {
            return try await ProcessRunner.run("kubectl", ["--kubeconfig", kubeconfigPath, "--cache-dir", cache] + arguments,
                                               stdin: stdin, timeout: timeout)
        } catch let error as ProcessRunnerError {
            throw ProcessRunnerError(description: error.description + "; the sim's last lines:\n" + ProcessRunner.lastLines(of: log))
        }
    }

    /// Applies every CustomResourceDefinition `capstan run` serves (the files of config/crd),
    /// as an install does.
    public func applyCRDs() async throws -> ProcessResult {
        let folder = CapstanBinary.packageRoot.appendingPathComponent("config/crd")
        return try await kubectl(["apply"] + CapstanBinary.crdFiles.flatMap { ["-f", folder.appendingPathComponent($0).path] })
    }

    /// Waits until the audit log shows a request with this verb on this resource, so a test
    /// can act right after a client (a watch, say) is in place.
    public func waitForRequest(verb: String, resource: String, timeout: Double = 20) async throws {
        let seen = await eventually(timeout: .seconds(timeout), interval: .milliseconds(50)) {
            let entries = (try? auditEntries()) ?? []
            return entries.contains(where: { $0["verb"] as? String == verb && $0["resource"] as? String == resource })
        }
        if seen { return }
        throw ProcessRunnerError(description: "no \(verb) request on \(resource) reached the sim within \(Int(timeout))s")
    }

    /// The audit log's lines, decoded.
    public func auditEntries() throws -> [[String: Any]] {
        let text = try String(contentsOfFile: auditLogPath, encoding: .utf8)
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }
}

/// Collects the sim's output from the pipe handlers' threads.
private final class SimOutput: Sendable {
    private let streams = Mutex((stdout: "", stderr: ""))

    func append(_ data: Data, stderr isStderr: Bool) {
        guard !data.isEmpty else { return }
        let text = String(decoding: data, as: UTF8.self)
        streams.withLock { if isStderr { $0.stderr += text } else { $0.stdout += text } }
    }

    func listeningURL() -> URL? {
        let prefix = "capstan sim: listening on "
        let stdout = streams.withLock { $0.stdout }
        guard let line = stdout.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return nil }
        return URL(string: String(line.dropFirst(prefix.count)))
    }

    func text() -> String {
        streams.withLock { "stdout:\n\($0.stdout)\nstderr:\n\($0.stderr)" }
    }
}
