#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// Starting and waiting for a child process the way a container runtime starts an
/// entrypoint: its own process group (signals reach all it starts), stdin from /dev/null,
/// stdout and stderr the parent's (or a file), nothing else of the parent's inherited. Used
/// by `capstan worker` for each item and by the process kubelet for each container.
public enum ChildProcess {
    /// Why a process could not start, in the words Go's os/exec (which runc uses) has.
    public struct StartError: Error, Sendable, Hashable {
        /// 127 when the executable does not exist, 126 when it cannot be run (the shell's codes).
        public var exitCode: Int
        public var message: String
    }

    /// The pids of items running now: the PID-1 reaper leaves them to their waiters.
    static let live = Mutex<Set<pid_t>>([])

    /// Go's wording of an errno: strerror's text, lower-cased as Go's syscall table has it.
    public static func goError(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
    }

    /// The executable for `name`: a path as given (relative to the working directory), or
    /// the first executable regular file of that name on `path`, as exec.LookPath finds it.
    public static func resolve(_ name: String, path: String, workingDirectory: String) throws(StartError) -> String {
        if name.contains("/") {
            let full = name.hasPrefix("/") ? name : workingDirectory + "/" + name
            var info = stat()
            guard stat(full, &info) == 0 else {
                let code = errno
                throw StartError(exitCode: code == ENOENT ? 127 : 126, message: "exec: \"\(name)\": stat \(name): \(goError(code))")
            }
            guard (info.st_mode & S_IFMT) != S_IFDIR, access(full, X_OK) == 0 else {
                throw StartError(exitCode: 126, message: "exec: \"\(name)\": \(goError(EACCES))")
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
        throw StartError(exitCode: 127, message: "exec: \"\(name)\": executable file not found in $PATH")
    }

    /// Spawns the process as the leader of a new process group; returns its pid.
    public static func spawn(executable: String, arguments: [String], environment: [String: String], workingDirectory: String?,
                      outputPath: String?) throws(StartError) -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        // Signals the worker blocks or ignores must not stay blocked or ignored in the item.
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
        if let outputPath {
            posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        if let closeFrom = SpawnExtensions.addCloseFrom { _ = closeFrom(&actions, 3) }
        if let workingDirectory {
            guard let changeDirectory = SpawnExtensions.addChangeDirectory else {
                throw StartError(exitCode: 126, message: "this C library has no posix_spawn_file_actions_addchdir_np (glibc 2.29 or later)")
            }
            _ = changeDirectory(&actions, workingDirectory)
        }

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid = pid_t()
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw StartError(exitCode: result == ENOENT ? 127 : 126, message: "exec \(executable): \(goError(result))")
        }
        return pid
    }

    /// Spawns and records the pid in `live` under one lock, so that the orphan reaper never
    /// mistakes a fast item's exit for an orphan's.
    static func spawnTracked(executable: String, arguments: [String], environment: [String: String], workingDirectory: String?,
                             outputPath: String?) throws(StartError) -> pid_t {
        try live.withLock { (live: inout Set<pid_t>) throws(StartError) -> pid_t in
            let pid = try spawn(executable: executable, arguments: arguments, environment: environment,
                                workingDirectory: workingDirectory, outputPath: outputPath)
            live.insert(pid)
            return pid
        }
    }

    /// Waits for `pid` on a thread of its own, polling `waitpid` every few milliseconds, so
    /// that the deadline holds however busy Swift's cooperative threads are. Past `deadline`,
    /// or when the task is cancelled, SIGTERM goes to the group, and SIGKILL `killGrace`
    /// later. Returns the wait status and whether the deadline fired.
    static func wait(for pid: pid_t, deadline: ContinuousClock.Instant?, killGrace: Duration) async -> (status: Int32, timedOut: Bool) {
        let cancelled = Atomic<Bool>(false)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let thread = Thread {
                    continuation.resume(returning: poll(pid, deadline: deadline, killGrace: killGrace, cancelled: cancelled))
                }
                thread.name = "capstan-worker-wait"
                thread.start()
            }
        } onCancel: {
            cancelled.store(true, ordering: .relaxed)
        }
    }

    private static func poll(_ pid: pid_t, deadline: ContinuousClock.Instant?, killGrace: Duration,
                             cancelled: borrowing Atomic<Bool>) -> (status: Int32, timedOut: Bool) {
        let started = ContinuousClock.now
        var terminatedAt: ContinuousClock.Instant?
        var killed = false
        var timedOut = false
        while true {
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { return (status, timedOut) }
            if result < 0 && errno != EINTR {
                // Reaped by someone else: nothing to learn of its end.
                return (Int32(SIGKILL), timedOut)
            }
            let now = ContinuousClock.now
            if terminatedAt == nil {
                if cancelled.load(ordering: .relaxed) {
                    kill(-pid, SIGTERM)
                    terminatedAt = now
                } else if let deadline, now >= deadline {
                    kill(-pid, SIGTERM)
                    terminatedAt = now
                    timedOut = true
                }
            }
            if let terminatedAt, !killed, now >= terminatedAt + killGrace {
                kill(-pid, SIGKILL)
                killed = true
            }
            // Tight at first, where short items end; looser for long ones.
            let elapsed = now - started
            usleep(elapsed < .milliseconds(20) ? 500 : elapsed < .seconds(1) ? 2_000 : 10_000)
        }
    }

    /// Exit status as Kubernetes reports it: the code, or 128 + the signal that ended it.
    public static func exitCode(fromWaitStatus status: Int32) -> Int {
        let signal = status & 0x7f
        if signal == 0 { return Int((status >> 8) & 0xff) }
        return 128 + Int(signal)
    }
}

/// glibc's `posix_spawn` extensions, which Swift's Glibc module does not export (they sit
/// behind `_GNU_SOURCE`), looked up at run time.
private enum SpawnExtensions {
    typealias AddChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    static let addChangeDirectory: AddChangeDirectory? = symbol("posix_spawn_file_actions_addchdir_np")
    static let addCloseFrom: AddCloseFrom? = symbol("posix_spawn_file_actions_addclosefrom_np")

    private static func symbol<Function>(_ name: String) -> Function? {
        guard let handle = dlopen(nil, RTLD_NOW), let address = dlsym(handle, name) else { return nil }
        return unsafeBitCast(address, to: Function.self)
    }
}
