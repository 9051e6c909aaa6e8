#if canImport(Glibc)
import CapstanAPI
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CapstanSupport
import Foundation

/// Runs an item as a local process, as the kubelet would have run its pod's main container:
/// `$(VAR)` expanded, the item's environment set over the worker's own, a fresh
/// `CAPSTAN_OUTPUTS_FILE` read back after the exit, `timeoutSeconds` enforced with SIGTERM
/// then SIGKILL. Its output goes to the worker's (the pod's log), framed by a line before
/// and after.
public struct ProcessItemExecutor: ItemExecutor {
    /// The environment items start from: the worker's own, without its token.
    public var baseEnvironment: [String: String]
    /// Where each item's outputs file is made.
    public var temporaryDirectory: String
    /// Between SIGTERM and SIGKILL, past a timeout or when the worker stops.
    public var killGrace: Duration = .seconds(10)
    /// nil: the item writes to the worker's stdout and stderr. Else appended to this file,
    /// with the framing lines (tests).
    public var outputPath: String?

    /// The most of `CAPSTAN_OUTPUTS_FILE` kept: the kubelet's termination-message limit.
    public static let maximumOutputsBytes = 4096

    public init(baseEnvironment: [String: String] = ProcessInfo.processInfo.environment,
                temporaryDirectory: String = FileManager.default.temporaryDirectory.path, outputPath: String? = nil) {
        var environment = baseEnvironment
        environment[WorkerProtocol.tokenVariable] = nil
        self.baseEnvironment = environment
        self.temporaryDirectory = temporaryDirectory
        self.outputPath = outputPath
    }

    public func run(_ item: ItemToRun) async -> ItemResult {
        let startedAt = Self.now()
        let label = "capstan worker: item \(item.name) (index \(item.index), attempt \(item.attempt))"
        say("\(label) started")
        let outputsFile: String
        do {
            outputsFile = try makeOutputsFile()
        } catch {
            return failed(item, startedAt: startedAt, label: label, error)
        }
        defer { unlink(outputsFile) }

        var environment = baseEnvironment
        for variable in item.environment {
            environment[variable.name] = VariableExpansion.expand(variable.value) { environment[$0] }
        }
        environment["CAPSTAN_OUTPUTS_FILE"] = outputsFile
        let arguments = item.arguments.map { VariableExpansion.expand($0) { environment[$0] } }
        let pid: pid_t
        do {
            guard let name = arguments.first else {
                throw ChildProcess.StartError(exitCode: 127, message: "the item has no command to run")
            }
            let directory = try workingDirectory(item.workingDirectory)
            let executable = try ChildProcess.resolve(name, path: environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
                                                     workingDirectory: directory ?? FileManager.default.currentDirectoryPath)
            pid = try ChildProcess.spawnTracked(executable: executable, arguments: arguments, environment: environment,
                                               workingDirectory: directory, outputPath: outputPath)
        } catch let error as ChildProcess.StartError {
            return failed(item, startedAt: startedAt, label: label, error)
        } catch {
            return failed(item, startedAt: startedAt, label: label, ChildProcess.StartError(exitCode: 126, message: "\(error)"))
        }
        let deadline = item.timeoutSeconds.map { ContinuousClock.now + .nanoseconds(Int64(($0 * 1e9).rounded())) }
        let (status, timedOut) = await ChildProcess.wait(for: pid, deadline: deadline, killGrace: killGrace)
        _ = ChildProcess.live.withLock { $0.remove(pid) }
        // The item is over: so is anything it left running in its group, as in a container.
        kill(-pid, SIGKILL)
        let exitCode = ChildProcess.exitCode(fromWaitStatus: status)
        let finishedAt = Self.now()
        say("\(label) exited with code \(exitCode)" + (timedOut ? " (timed out after \(Self.seconds(item.timeoutSeconds ?? 0)))" : ""))
        return ItemResult(name: item.name, exitCode: exitCode, outputs: Self.readOutputs(outputsFile), startedAt: startedAt,
                          finishedAt: finishedAt, timedOut: timedOut)
    }

    // MARK: - Pieces

    private func failed(_ item: ItemToRun, startedAt: String, label: String, _ error: ChildProcess.StartError) -> ItemResult {
        say("\(label) exited with code \(error.exitCode): \(error.message)")
        return ItemResult(name: item.name, exitCode: error.exitCode, startedAt: startedAt, finishedAt: Self.now(), message: error.message)
    }

    private func failed(_ item: ItemToRun, startedAt: String, label: String, _ error: any Error) -> ItemResult {
        failed(item, startedAt: startedAt, label: label, ChildProcess.StartError(exitCode: 126, message: "\(error)"))
    }

    /// The item's working directory, made when missing as runc makes a container's `workingDir`.
    private func workingDirectory(_ path: String?) throws(ChildProcess.StartError) -> String? {
        guard let path, !path.isEmpty else { return nil }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw ChildProcess.StartError(exitCode: 126, message: "chdir \(path): \(error.localizedDescription)")
        }
        return path
    }

    /// An empty file of its own, as /dev/termination-log is empty when a container starts.
    private func makeOutputsFile() throws -> String {
        var template = Array((temporaryDirectory + "/capstan-outputs-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw ChildProcess.StartError(exitCode: 126, message: "cannot make the outputs file in \(temporaryDirectory): \(ChildProcess.goError(errno))")
        }
        close(fd)
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// At most `maximumOutputsBytes`, cut on a character boundary; nil when empty.
    static func readOutputs(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard var bytes = try? handle.read(upToCount: maximumOutputsBytes), !bytes.isEmpty else { return nil }
        for _ in 0..<4 {
            if let text = String(validating: bytes, as: UTF8.self) { return text }
            bytes.removeLast()
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A framing line in the item's output, written at once (not through stdio's buffer,
    /// which the item's own writes would overtake).
    private func say(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        if let outputPath {
            let fd = open(outputPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            guard fd >= 0 else { return }
            defer { close(fd) }
            _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        } else {
            _ = bytes.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
        }
    }

    static func now() -> String { UTCTime.now().rfc3339(fractionDigits: 6) }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value))s" : "\(value)s"
    }
}
