import Foundation

/// What a finished process printed and how it ended.
public struct ProcessResult: Sendable, CustomStringConvertible {
    public var stdout: String
    public var stderr: String
    public var exitCode: Int32

    public var description: String {
        "exit \(exitCode)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)"
    }
}

public struct ProcessRunnerError: Error, CustomStringConvertible {
    public var description: String
}

/// Runs external programs (kubectl, capstan) and captures their output.
public enum ProcessRunner {
    /// Finds `name` on PATH; tests that need a tool fail with this message when it is missing.
    public static func locate(_ name: String) throws -> String {
        if name.contains("/") { return name }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw ProcessRunnerError(description: "\(name) is required by this test but was not found on PATH (\(path))")
    }

    /// Waits for `process` to exit: its status, or nil when it still runs after `timeout` seconds.
    public static func waitForExit(_ process: Process, timeout: Double) async throws -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline { return nil }
            try await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }

    /// Stops a server the way its supervisor would: SIGTERM, then SIGKILL and an error naming
    /// `name` if it has not exited within `timeout` seconds. The error ends with the last lines
    /// of `output` (what the server printed), which show how far its shutdown got.
    public static func stop(_ process: Process, name: String, timeout: Double,
                            output: (@Sendable () -> String)? = nil) async throws -> Int32 {
        if process.isRunning { process.terminate() }
        if let status = try await waitForExit(process, timeout: timeout) { return status }
        kill(process.processIdentifier, SIGKILL)
        var description = "\(name) ignored SIGTERM for \(Int(timeout))s"
        if let output { description += "; the last lines it printed:\n" + lastLines(of: output()) }
        throw ProcessRunnerError(description: description)
    }

    /// The end of a server's output, enough to show what it was doing, for failure messages.
    public static func lastLines(of text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).suffix(40).joined(separator: "\n")
    }

    /// Runs the program to completion (killing it after `timeout` seconds) and returns its output.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                           stdin: String? = nil, timeout: Double = 60) async throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try locate(executable))
        process.arguments = arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        // Drain both pipes concurrently so a chatty process never blocks on a full pipe.
        // Closed once read: a pipe's handles are not reliably closed when it is released, and
        // a suite that runs kubectl hundreds of times would otherwise run out of descriptors.
        async let stdoutData = Blocking.run { readAndClose(out.fileHandleForReading) }
        async let stderrData = Blocking.run { readAndClose(err.fileHandleForReading) }
        guard try await waitForExit(process, timeout: timeout) != nil else {
            process.terminate()
            throw ProcessRunnerError(description: "\(executable) \(arguments.joined(separator: " ")) did not finish within \(Int(timeout))s")
        }
        return ProcessResult(stdout: String(decoding: await stdoutData, as: UTF8.self),
                             stderr: String(decoding: await stderrData, as: UTF8.self),
                             exitCode: process.terminationStatus)
    }

    private static func readAndClose(_ handle: FileHandle) -> Data {
        let data = handle.readDataToEndOfFile()
        try? handle.close()
        return data
    }
}

/// Runs blocking work (pipe and socket reads) on a thread of its own. Not on a GCD queue: on
/// Linux, Swift's tasks and `DispatchQueue.global()` share libdispatch's default-priority pool,
/// sized to the cores, which grows past blocked threads by one a second (its workqueue
/// monitor), so each blocking read parked there could hold up other tests' tasks until then.
public enum Blocking {
    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    /// Long CPU-only work, a test computing for seconds with no point where it waits: on a
    /// thread of its own it leaves the task pool's threads (one per core) to the other tests,
    /// which would otherwise stall until it finished.
    public static func compute<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await run(work)
    }

    public static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: work()) }.start()
        }
    }
}
