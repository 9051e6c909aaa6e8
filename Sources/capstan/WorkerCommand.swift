#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import CapstanController
import CapstanWorker
import Foundation
import Logging

/// `capstan worker`: a map's reusable worker (SPEC §15), the main process of a worker pod.
/// It asks the controller at `CAPSTAN_DISPATCH_URL` for items and runs each one's command as
/// a local process. `--install` is the worker pod's init container: it copies this binary
/// into the volume the main container runs it from.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run a map node's reusable worker (inside a worker pod)",
        discussion: """
            Reads CAPSTAN_DISPATCH_URL, CAPSTAN_WORKER_TOKEN, CAPSTAN_WORKER_POD, CAPSTAN_NAMESPACE, \
            CAPSTAN_WORKFLOW, CAPSTAN_WORKFLOW_UID and CAPSTAN_NODE, then takes the map's items one at a \
            time until the controller says stop.

            Exit codes: 0 stopped by the controller, 1 bad environment or a rejected request, \
            3 the controller refused the token, 143 SIGTERM.
            """)

    @Option(help: ArgumentHelp("Copy this executable to PATH (mode 0755) and exit.", valueName: "PATH"))
    var install: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    func validate() throws {
        do { _ = try LogSetup.parseLevel(logLevel) } catch { throw ValidationError("\(error)") }
    }

    func run() async throws {
        if let install {
            do {
                try Self.installExecutable(at: install)
            } catch {
                FileHandleOutput.standardError("capstan worker: cannot install the executable at \(install): \(error)")
                throw ExitCode(1)
            }
            return
        }
        LogSetup.bootstrap(format: .text, level: try LogSetup.parseLevel(logLevel))
        let environment: WorkerEnvironment
        do {
            environment = try WorkerEnvironment(ProcessInfo.processInfo.environment)
        } catch {
            FileHandleOutput.standardError("capstan worker: \(error)")
            throw ExitCode(1)
        }
        var logger = Logger(label: "capstan.worker")
        logger[metadataKey: "pod"] = "\(environment.claims.pod)"
        let trap = SignalTrap(signals: [SIGTERM, SIGINT])
        let client = DispatchHTTPClient(connectionsPerHost: 2)
        let loop = WorkerLoop(claims: environment.claims, transport: client.transport(environment),
                              executor: ProcessItemExecutor(), logger: logger)
        logger.info("worker started", metadata: ["node": "\(environment.claims.node)", "workflow": "\(environment.claims.workflow)"])
        let work = Task { await loop.run() }
        // PID 1 of its container: the zombies of what items leave behind are ours to reap.
        let reaper = getpid() == 1 ? Task { await OrphanReaper.run() } : nil
        // SIGTERM: take nothing more, stop the running item's group (the executor does, on
        // cancellation) and exit 143.
        let watcher = Task {
            while !Task.isCancelled {
                if trap.count > 0 { return work.cancel() }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        let exit = await work.value
        watcher.cancel()
        reaper?.cancel()
        await client.shutdown()
        if trap.count > 0 {
            logger.info("stopped by \(trap.lastSignalName)")
            throw ExitCode(143)
        }
        switch exit {
        case .stopped:
            logger.info("worker stopped: the map needs it no more")
        case .cancelled:
            throw ExitCode(143)
        case .failed:
            // The loop logged the controller's answer.
            throw ExitCode(exit.exitCode)
        }
    }

    /// Copies the running executable to `path` (made executable, parents created), through a
    /// temporary file renamed into place so that a reader never sees half a binary.
    static func installExecutable(at path: String) throws {
        let files = FileManager.default
        let source = files.fileExists(atPath: "/proc/self/exe") ? "/proc/self/exe" : (Bundle.main.executablePath ?? CommandLine.arguments[0])
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try files.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        let temporary = path + ".tmp-\(getpid())"
        try copyFile(from: source, to: temporary)
        guard chmod(temporary, 0o755) == 0, rename(temporary, path) == 0 else {
            let error = String(cString: strerror(errno))
            unlink(temporary)
            throw InstallError(message: error)
        }
    }

    private struct InstallError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// Streams the bytes (a symbolic link such as /proc/self/exe is followed, not copied).
    private static func copyFile(from source: String, to destination: String) throws {
        let input = open(source, O_RDONLY)
        guard input >= 0 else { throw InstallError(message: "open \(source): \(String(cString: strerror(errno)))") }
        defer { close(input) }
        let output = open(destination, O_WRONLY | O_CREAT | O_TRUNC, 0o755)
        guard output >= 0 else { throw InstallError(message: "open \(destination): \(String(cString: strerror(errno)))") }
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count == 0 { return }
            guard count > 0 else {
                if errno == EINTR { continue }
                throw InstallError(message: "read \(source): \(String(cString: strerror(errno)))")
            }
            var written = 0
            while written < count {
                let result = buffer.withUnsafeBytes { write(output, $0.baseAddress! + written, count - written) }
                guard result > 0 else {
                    if result < 0 && errno == EINTR { continue }
                    throw InstallError(message: "write \(destination): \(String(cString: strerror(errno)))")
                }
                written += result
            }
        }
    }
}
