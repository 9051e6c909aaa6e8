import Foundation
import Synchronization

/// `capstan ui` (or `capstan dev --ui`) running as a real process, found ready by the URL it
/// prints. Stop it with `stop()`; it is killed when released.
public final class UIProcess: @unchecked Sendable {
    public let url: URL
    private let process: Process
    private let output: CapturedOutput

    /// Runs `capstan ARGUMENTS` and waits for the `http://127.0.0.1:PORT/` it prints.
    public static func start(_ arguments: [String], timeout: Double = 60) async throws -> UIProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try CapstanBinary.path())
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let output = CapturedOutput()
        pipe.fileHandleForReading.readabilityHandler = { handle in output.append(handle.availableData) }
        try process.run()
        ChildProcesses.track(process)
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let text = output.text
            if let range = text.range(of: #"http://127\.0\.0\.1:[0-9]+/"#, options: .regularExpression) {
                let url = URL(string: String(text[range]))!
                return UIProcess(url: url, process: process, output: output)
            }
            if !process.isRunning || Date() > deadline {
                process.terminate()
                throw ProcessRunnerError(description: "capstan \(arguments.joined(separator: " ")) did not start serving: \(text)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    private init(url: URL, process: Process, output: CapturedOutput) {
        self.url = url
        self.process = process
        self.output = output
    }

    deinit { if process.isRunning { process.terminate() } }

    /// Everything it printed so far, for failure messages.
    public var log: String { output.text }

    public var isRunning: Bool { process.isRunning }

    /// SIGTERM, then its exit status.
    @discardableResult
    public func stop(timeout: Double = 20) async throws -> Int32 {
        try await ProcessRunner.stop(process, name: "capstan ui", timeout: timeout, output: { self.log })
    }

    /// An absolute URL on this server.
    public func page(_ path: String) -> String { url.absoluteString.dropLast() + path }
}

/// What a process printed, gathered from its pipe's handler thread.
final class CapturedOutput: Sendable {
    private let bytes = Mutex(Data())

    func append(_ data: Data) { bytes.withLock { $0.append(data) } }

    var text: String { String(decoding: bytes.withLock { $0 }, as: UTF8.self) }
}
