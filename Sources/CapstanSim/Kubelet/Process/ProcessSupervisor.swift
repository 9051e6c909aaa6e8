#if canImport(Glibc)
import CapstanAPI
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CapstanWorker
import Foundation
import Logging
import Synchronization

/// The process kubelet's container runtime: starts each pod's main command as a local
/// process group, signals it, notices when it exits, and kills whatever is left when the
/// kubelets stop.
///
/// Files, per pod: the log at `LOGDIR/NAMESPACE/POD.log` (stdout and stderr, appended) and
/// the termination-message file `WORKDIR/NAMESPACE/POD/termination-log`, which the task
/// sees as `CAPSTAN_OUTPUTS_FILE`.
/// Secret items mounted at a file are written there for the process's lifetime.
final class ProcessSupervisor: Sendable {
    struct Exit: Sendable {
        var key: String
        var uid: String
        var exitCode: Int
        /// The termination message: the outputs file, else (with `FallbackToLogsOnError` and
        /// a failure) the end of the log.
        var message: String?
    }

    private struct Child: Sendable {
        var key: String
        var uid: String
        var outputsPath: String
        var logPath: String
        var fallbackToLogs: Bool
        /// Secret files this process holds, released when it exits.
        var secretFiles: [String] = []
    }

    let workDirectory: String
    let logDirectory: String
    private let children = Mutex<[pid_t: Child]>([:])
    private let secretFiles = SecretFileRegistry()
    private let logger: Logger

    init(workDirectory: String, logDirectory: String, logger: Logger) {
        self.workDirectory = workDirectory
        self.logDirectory = logDirectory
        self.logger = logger
    }

    var runningCount: Int { children.withLock { $0.count } }

    func logPath(namespace: String, name: String) -> String { "\(logDirectory)/\(namespace)/\(name).log" }
    func outputsPath(namespace: String, name: String) -> String { "\(workDirectory)/\(namespace)/\(name)/termination-log" }

    /// Starts the pod's command, with `secrets` holding the value of every key of
    /// `command.secretKeys`. Throws a message for the container's `StartError` (or, when
    /// `duringConfig`, its `CreateContainerConfigError`).
    func start(_ pod: BoundPod, command: ContainerCommand, secrets: [ContainerCommand.SecretKey: Data] = [:])
        throws(ProcessLauncher.LaunchError) -> pid_t
    {
        let logPath = logPath(namespace: pod.namespace, name: pod.name)
        let outputsPath = outputsPath(namespace: pod.namespace, name: pod.name)
        let files = FileManager.default
        do {
            try files.createDirectory(atPath: (logPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try files.createDirectory(atPath: (outputsPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            // Like /dev/termination-log: present and empty when the task starts.
            try Data().write(to: URL(fileURLWithPath: outputsPath))
        } catch {
            throw ProcessLauncher.LaunchError(description: "cannot prepare the pod's files: \(error.localizedDescription)")
        }
        let variables = command.environment(secrets: secrets.mapValues { String(decoding: $0, as: UTF8.self) })
        var environment = ProcessInfo.processInfo.environment
        for variable in variables { environment[variable.name] = variable.value }
        environment["CAPSTAN_OUTPUTS_FILE"] = outputsPath
        var isDirectory: ObjCBool = false
        let current = files.currentDirectoryPath
        let workingDirectory = command.workingDirectory.flatMap {
            files.fileExists(atPath: $0, isDirectory: &isDirectory) && isDirectory.boolValue ? $0 : nil
        } ?? current
        let held: [String]
        do {
            held = try secretFiles.acquire(command.secretFiles.map { ($0.path, secrets[$0.secret] ?? Data()) })
        } catch {
            throw ProcessLauncher.LaunchError(description: error.description, duringConfig: true)
        }
        let pid: pid_t
        do {
            pid = try ProcessLauncher.launch(.init(arguments: Self.runningWorkers(command.arguments(variables)), environment: environment,
                                                   workingDirectory: workingDirectory, logPath: logPath))
        } catch {
            secretFiles.release(held)
            throw error
        }
        children.withLock {
            $0[pid] = Child(key: pod.key, uid: pod.uid, outputsPath: outputsPath, logPath: logPath,
                            fallbackToLogs: command.fallbackToLogsOnError, secretFiles: held)
        }
        logger.debug("started process", metadata: ["pod": "\(pod.key)", "pid": "\(pid)"])
        return pid
    }

    /// A map's worker pod runs `/capstan/capstan worker`, the binary its init container
    /// would have copied in: here that is this very executable (`capstan sim` and `capstan
    /// dev` are `capstan`), and the init container is not run.
    static func runningWorkers(_ arguments: [String]) -> [String] {
        guard arguments.first == WorkerProtocol.binaryPath, let own = ownExecutable else { return arguments }
        var arguments = arguments
        arguments[0] = own
        return arguments
    }

    /// The executable of this process, read once.
    static let ownExecutable: String? = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")

    /// An `execve` that failed after the container started: runc writes the error to the
    /// container's output and exits 1, which is what the pod then reports.
    func failedExec(_ pod: BoundPod, command: ContainerCommand, _ error: ProcessLauncher.LaunchError) -> Exit {
        let child = Child(key: pod.key, uid: pod.uid, outputsPath: outputsPath(namespace: pod.namespace, name: pod.name),
                          logPath: logPath(namespace: pod.namespace, name: pod.name), fallbackToLogs: command.fallbackToLogsOnError)
        if !FileManager.default.fileExists(atPath: child.logPath) {
            // Best effort: the start failure is reported through the exit either way.
            _ = FileManager.default.createFile(atPath: child.logPath, contents: nil)
        }
        if let log = FileHandle(forWritingAtPath: child.logPath) {
            log.seekToEndOfFile()
            log.write(Data((error.description + "\n").utf8))
            try? log.close()
        }
        return Exit(key: pod.key, uid: pod.uid, exitCode: 1, message: terminationMessage(child, failed: true))
    }

    /// Sends `signal` to the whole process group of the pod's process.
    func signal(key: String, uid: String, _ signal: Int32) {
        let pids = children.withLock { $0.filter { $0.value.key == key && $0.value.uid == uid }.map(\.key) }
        for pid in pids { kill(-pid, signal) }
    }

    /// Collects processes that exited, every `interval`, until cancelled; then kills every
    /// process group still running. `onExit` receives each exit.
    func run(every interval: Duration = .milliseconds(25), onExit: @escaping @Sendable (Exit) -> Void) async {
        while !Task.isCancelled {
            for exit in reap() { onExit(exit) }
            do { try await Task.sleep(for: interval) } catch { break }
        }
        killAll()
    }

    /// Every exited child, with its termination message read.
    func reap() -> [Exit] {
        let pids = children.withLock { Array($0.keys) }
        var exits: [Exit] = []
        for pid in pids {
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            guard result == pid || (result < 0 && errno == ECHILD) else { continue }
            // The container is gone: so is anything it left running in its group.
            kill(-pid, SIGKILL)
            guard let child = children.withLock({ $0.removeValue(forKey: pid) }) else { continue }
            secretFiles.release(child.secretFiles)
            let code = result == pid ? ChildProcess.exitCode(fromWaitStatus: status) : 137
            exits.append(Exit(key: child.key, uid: child.uid, exitCode: code,
                              message: terminationMessage(child, failed: code != 0)))
        }
        return exits
    }

    /// SIGTERM to every group, a short grace, then SIGKILL; every child is reaped.
    func killAll(grace: Duration = .seconds(2)) {
        let pids = children.withLock { Array($0.keys) }
        guard !pids.isEmpty else { return }
        logger.info("stopping local processes", metadata: ["count": "\(pids.count)"])
        for pid in pids { kill(-pid, SIGTERM) }
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline && !reapAll(pids).isEmpty {
            // Not Task.sleep: this runs after cancellation, which would end that sleep at once.
            usleep(20_000)
        }
        for pid in reapAll(pids) {
            kill(-pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        for pid in pids { kill(-pid, SIGKILL) }
        let held = children.withLock { children in
            defer { children.removeAll() }
            return children.values.flatMap(\.secretFiles)
        }
        secretFiles.release(held)
    }

    /// Reaps what exited among `pids`; returns those still running.
    private func reapAll(_ pids: [pid_t]) -> [pid_t] {
        pids.filter { pid in
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            return result == 0
        }
    }

    private func terminationMessage(_ child: Child, failed: Bool) -> String? {
        let outputs = (try? Data(contentsOf: URL(fileURLWithPath: child.outputsPath), options: .mappedIfSafe)) ?? Data()
        if !outputs.isEmpty {
            // The status builder cuts it to kube's limit on a character boundary.
            return String(decoding: outputs.prefix(64 * 1024), as: UTF8.self)
        }
        guard failed, child.fallbackToLogs else { return nil }
        return Self.logTail(child.logPath)
    }

    /// kube's `FallbackToLogsOnError`: the last 80 lines of the log, at most 2048 bytes.
    static func logTail(_ path: String) -> String? {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path)), !data.isEmpty else { return nil }
        let lines = String(decoding: data.suffix(64 * 1024), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let tail = lines.suffix(81).joined(separator: "\n")
        return String(decoding: Array(tail.utf8.suffix(2048)), as: UTF8.self)
    }
}
