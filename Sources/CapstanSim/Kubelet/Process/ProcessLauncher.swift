#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CapstanWorker
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

    /// Returns the pid, which is also the process group id.
    static func launch(_ request: Request) throws(LaunchError) -> pid_t {
        guard let name = request.arguments.first else { throw LaunchError(description: "no command to run") }
        let executable = try resolve(name, path: request.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
                                     workingDirectory: request.workingDirectory)
        do {
            return try ChildProcess.spawn(executable: executable, arguments: request.arguments, environment: request.environment,
                                          workingDirectory: request.workingDirectory, outputPath: request.logPath)
        } catch {
            // runc's `exec NAME: ERR` (an os.PathError) once the container has started.
            throw LaunchError(description: error.message, duringExec: true)
        }
    }

    /// The executable for `name`: a path as given (relative to the working directory), or
    /// the first match on `path`, as a container runtime resolves the entrypoint.
    static func resolve(_ name: String, path: String, workingDirectory: String) throws(LaunchError) -> String {
        do {
            return try ChildProcess.resolve(name, path: path, workingDirectory: workingDirectory)
        } catch {
            throw LaunchError(description: error.message)
        }
    }
}
