#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#endif
import Foundation

/// A SeaweedFS server of a test's own, which the test may kill and restart on the same ports
/// and data folder. Started through hack/test.d/seaweedfs.sh's `capstan_weed_start`, so it runs
/// exactly as the shared test server does.
final class WeedProcess: @unchecked Sendable {
    let folder: String
    let accessKey = "restart-access"
    let secretKey = "restart-secret"
    private(set) var pid: pid_t = 0
    private(set) var port: Int = 0

    var endpoint: String { "http://127.0.0.1:\(port)" }

    private init(folder: String) {
        self.folder = folder
    }

    static func start() async throws -> WeedProcess {
        let process = WeedProcess(folder: try ScratchFolder.make())
        try await process.launch()
        return process
    }

    static func script() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        guard environment["CAPSTAN_WEED_BIN"].map({ !$0.isEmpty }) == true else {
            throw MissingTestServer(variable: "CAPSTAN_WEED_BIN")
        }
        if let script = environment["CAPSTAN_WEED_SCRIPT"], !script.isEmpty { return script }
        // Tests/CapstanStoreTests/WeedProcess.swift → the package root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent("hack/test.d/seaweedfs.sh").path
    }

    /// Starts (or restarts) the server and waits until S3 answers.
    func launch() async throws {
        let output = try await WeedProcess.runScript("capstan_weed_start \"$1\" \"$2\" \"$3\"", folder, accessKey, secretKey,
                                                     output: folder + "/start.out")
        let fields = output.split(whereSeparator: \.isWhitespace)
        guard fields.count == 2, let pid = pid_t(fields[0]), let port = Int(fields[1]) else {
            throw WeedFailure(message: "capstan_weed_start printed \"\(output)\"; see \(folder)/weed.log")
        }
        self.pid = pid
        self.port = port
    }

    /// Kills the server without warning and waits until its S3 port refuses connections.
    func kill() async throws {
        _ = Glibc.kill(pid, SIGKILL)
        for _ in 0..<100 {
            if !WeedProcess.accepts(port: port) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw WeedFailure(message: "S3 port \(port) still accepts connections after SIGKILL of \(pid)")
    }

    /// Stops the server and removes its folder.
    func stop() async {
        _ = try? await WeedProcess.runScript("capstan_weed_stop_pid \"$1\" \"$2\"", String(pid), folder,
                                             output: folder + "/stop.out")
        try? FileManager.default.removeItem(atPath: folder)
    }

    struct WeedFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// Runs `command` in bash with the script sourced and returns its standard output. The
    /// wait happens on a thread of its own: blocking a Swift concurrency thread on a child
    /// process can stall every other test.
    private static func runScript(_ command: String, _ arguments: String..., output: String) async throws -> String {
        let argv = ["/bin/bash", "-c", "set -e; source \"$0\"; " + command, try script()] + arguments
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/bash", &actions, nil, &cArguments, environ)
        guard spawned == 0 else { throw WeedFailure(message: "posix_spawn /bin/bash failed: \(spawned)") }
        let child = pid
        let status: Int32 = await withCheckedContinuation { continuation in
            let waiter = Thread {
                var status: Int32 = 0
                while waitpid(child, &status, 0) < 0 && errno == EINTR {}
                continuation.resume(returning: status)
            }
            waiter.start()
        }
        let text = ((try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard status == 0 else {
            throw WeedFailure(message: "`\(command)` failed (wait status \(status)): \(text)")
        }
        return text
    }

    private static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return result == 0
    }
}
