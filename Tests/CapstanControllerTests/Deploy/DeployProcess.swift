import Foundation
import TestSupport

/// What a finished external program left behind.
struct ProcessOutput: Sendable {
    let command: String
    let status: Int32
    let stdout: String
    let stderr: String

    /// A summary for a failed expectation: the command, its exit status and what it printed.
    var report: String {
        "`\(command)` exited \(status)\nstdout:\n\(stdout.suffix(4000))\nstderr:\n\(stderr.suffix(4000))"
    }
}

/// Runs a program to completion, waiting on a thread of its own (`Blocking`) so the tests'
/// task threads stay free while helm, kubectl or skopeo run.
func runProcess(
    _ executable: String, _ arguments: [String], workingDirectory: URL? = nil
) async throws -> ProcessOutput {
    try await Blocking.run { try runProcessBlocking(executable, arguments, workingDirectory: workingDirectory) }
}

/// `runProcess` on the calling thread, for work already off the tests' task threads. Output
/// goes through temporary files rather than pipes, so a program that prints a lot never blocks
/// on a full pipe while this waits for it to exit.
func runProcessBlocking(
    _ executable: String, _ arguments: [String], workingDirectory: URL? = nil
) throws -> ProcessOutput {
    let scratch = FileManager.default.temporaryDirectory
        .appendingPathComponent("capstan-deploy-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let outURL = scratch.appendingPathComponent("stdout")
    let errURL = scratch.appendingPathComponent("stderr")
    // FileHandle(forWritingTo:) below throws, naming the file, when these could not be made.
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let outHandle = try FileHandle(forWritingTo: outURL)
    let errHandle = try FileHandle(forWritingTo: errURL)

    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = outHandle
    process.standardError = errHandle
    if let workingDirectory { process.currentDirectoryURL = workingDirectory }
    try process.run()
    process.waitUntilExit()
    try outHandle.close()
    try errHandle.close()

    return ProcessOutput(
        command: ([executable] + arguments).joined(separator: " "),
        status: process.terminationStatus,
        stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
        stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
    )
}
