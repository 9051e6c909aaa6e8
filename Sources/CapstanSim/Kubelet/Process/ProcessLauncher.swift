#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Starts a local process the way a container runtime starts a container's entrypoint: in a
/// process group of its own (so signals reach everything it starts), with stdin from
/// /dev/null, stdout and stderr appended to one log file, and no descriptor of ours leaking in.
enum ProcessLauncher {
    struct Request: Sendable {
        var arguments: [String]
        var environment: [String: String]
        var workingDirectory: String
        var logPath: String
    }

    struct LaunchError: Error, Sendable, CustomStringConvertible {
        /// The cause in runc's words (`exec: "foo": executable file not found in $PATH`).
        var description: String
        /// runc finds a missing or unusable executable while creating the container (a
        /// `StartError`); an `execve` that fails (E2BIG, ENOEXEC) fails only once the container
        /// runs, and shows as its exit code 1 with the error in its log.
        var duringExec = false
        /// The container's config could not be made (a secret file that cannot be written):
        /// the kubelet's `CreateContainerConfigError`, not a start failure.
        var duringConfig = false

        /// The kubelet's `StartError` message: the runtime's chain of errors around the cause.
        var startErrorMessage: String {
            "failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create "
                + "failed: unable to start container process: error during container init: \(description): unknown"
        }
    }

    /// Go's wording of an errno: strerror's text, lower-cased as Go's syscall table has it.
    static func goError(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
    }

    /// Returns the pid, which is also the process group id.
    static func launch(_ request: Request) throws(LaunchError) -> pid_t {
        guard let name = request.arguments.first else { throw LaunchError(description: "no command to run") }
        let executable = try resolve(name, path: request.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
                                     workingDirectory: request.workingDirectory)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        // Signals we block or ignore must not stay blocked or ignored in the task.
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, request.logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        if let closeFrom = GNUSpawnExtensions.addCloseFrom { _ = closeFrom(&actions, 3) }
        guard let changeDirectory = GNUSpawnExtensions.addChangeDirectory else {
            throw LaunchError(description: "this C library has no posix_spawn_file_actions_addchdir_np (glibc 2.29 or later is needed)")
        }
        _ = changeDirectory(&actions, request.workingDirectory)

        let argv = request.arguments.map { strdup($0) } + [nil]
        let envp = request.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid = pid_t()
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else {
            // runc's `exec NAME: ERR` (an os.PathError) once the container has started.
            throw LaunchError(description: "exec \(executable): \(goError(result))", duringExec: true)
        }
        return pid
    }

    /// The executable for `name`: a path as given (relative to the working directory), or
    /// the first match on `path`, as a container runtime resolves the entrypoint.
    static func resolve(_ name: String, path: String, workingDirectory: String) throws(LaunchError) -> String {
        if name.contains("/") {
            let full = name.hasPrefix("/") ? name : workingDirectory + "/" + name
            // Go's exec.LookPath: a stat error names the path, a file that is not executable is EACCES.
            var info = stat()
            guard stat(full, &info) == 0 else {
                throw LaunchError(description: "exec: \"\(name)\": stat \(name): \(goError(errno))")
            }
            guard (info.st_mode & S_IFMT) != S_IFDIR, access(full, X_OK) == 0 else {
                throw LaunchError(description: "exec: \"\(name)\": \(goError(EACCES))")
            }
            return full
        }
        for directory in path.split(separator: ":", omittingEmptySubsequences: false) {
            let base = directory.isEmpty ? "." : String(directory)
            let candidate = (base.hasPrefix("/") ? base : workingDirectory + "/" + base) + "/" + name
            var info = stat()
            if stat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        throw LaunchError(description: "exec: \"\(name)\": executable file not found in $PATH")
    }

    /// Exit status as Kubernetes reports it: the code, or 128 + the signal that ended it.
    static func exitCode(fromWaitStatus status: Int32) -> Int {
        let signal = status & 0x7f
        if signal == 0 { return Int((status >> 8) & 0xff) }
        return 128 + Int(signal)
    }
}

/// glibc's `posix_spawn` extensions, which Swift's Glibc module does not export (they sit
/// behind `_GNU_SOURCE`), looked up at run time.
private enum GNUSpawnExtensions {
    typealias AddChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    static let addChangeDirectory: AddChangeDirectory? = symbol("posix_spawn_file_actions_addchdir_np")
    static let addCloseFrom: AddCloseFrom? = symbol("posix_spawn_file_actions_addclosefrom_np")

    private static func symbol<Function>(_ name: String) -> Function? {
        guard let handle = dlopen(nil, RTLD_NOW), let address = dlsym(handle, name) else { return nil }
        return unsafeBitCast(address, to: Function.self)
    }
}
