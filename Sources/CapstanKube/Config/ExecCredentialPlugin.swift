import CapstanAPI
import Foundation

/// A kubeconfig `exec` credential plugin (`aws eks get-token`, `gke-gcloud-auth-plugin`,
/// `kubelogin`): a command that prints an `ExecCredential` whose `status.token` is the bearer
/// token, valid until `status.expirationTimestamp`. Only token credentials are supported.
struct ExecCredentialPlugin: Sendable {
    var command: String
    var arguments: [String]
    var environment: [String: String]
    var apiVersion: String
    /// The kubeconfig's folder: a relative command path is resolved against it, as kubectl does.
    var folder: String
    /// Where the plugin was configured, for error messages.
    var location: String

    struct Credential: Sendable {
        var token: String
        var expiresAt: Date?
    }

    init(exec: JSONValue, folder: String, location: String) throws {
        guard let command = exec["command"]?.stringValue, !command.isEmpty else {
            throw KubeConfigError(location: location, reason: "the exec credential plugin has no command")
        }
        self.command = command
        arguments = exec["args"]?.arrayValue?.compactMap(\.stringValue) ?? []
        var environment: [String: String] = [:]
        for entry in exec["env"]?.arrayValue ?? [] {
            if let name = entry["name"]?.stringValue { environment[name] = entry["value"]?.stringValue ?? "" }
        }
        self.environment = environment
        apiVersion = exec["apiVersion"]?.stringValue ?? "client.authentication.k8s.io/v1"
        self.folder = folder
        self.location = location
    }

    /// Runs the plugin and reads its credential, on a thread of its own since the wait blocks:
    /// on Linux a GCD queue would block a thread of the pool Swift's tasks run on, a pool sized
    /// to the cores that grows past a blocked thread only at its next once-a-second check, so
    /// reconciles could wait on the plugin.
    func run() async throws -> Credential {
        let output = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<(Int32, Data, Data), any Error>) in
            Thread { continuation.resume(with: Result { try runProcess() }) }.start()
        }
        let (status, stdout, stderr) = output
        guard status == 0 else {
            let message = String(decoding: stderr.prefix(2000), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw KubeConfigError(location: location, reason: "exec credential plugin `\(command)` exited with status \(status): \(message)")
        }
        let credential: JSONValue
        do {
            credential = try JSONValue.parse(Array(stdout))
        } catch {
            throw KubeConfigError(location: location, reason: "exec credential plugin `\(command)` did not print an ExecCredential: \(error)")
        }
        guard let token = credential.value(at: "status", "token")?.stringValue, !token.isEmpty else {
            throw KubeConfigError(location: location,
                                  reason: "exec credential plugin `\(command)` returned no status.token (client certificates from plugins are not supported)")
        }
        let expiry = credential.value(at: "status", "expirationTimestamp")?.stringValue.flatMap(Self.parseTimestamp)
        return Credential(token: token, expiresAt: expiry)
    }

    private func runProcess() throws -> (Int32, Data, Data) {
        let process = Process()
        if command.contains("/") {
            let path = command.hasPrefix("/") ? command : URL(fileURLWithPath: folder).appendingPathComponent(command).path
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [command] + arguments
        }
        var env = ProcessInfo.processInfo.environment.merging(environment) { _, configured in configured }
        let info: JSONValue = ["apiVersion": .string(apiVersion), "kind": "ExecCredential", "spec": ["interactive": false]]
        env["KUBERNETES_EXEC_INFO"] = info.jsonString
        process.environment = env
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw KubeConfigError(location: location, reason: "cannot start exec credential plugin `\(command)`: \(error)")
        }
        // Read both pipes before waiting so a chatty plugin cannot block on a full pipe.
        let group = DispatchGroup()
        let errorData = PipeContents()
        group.enter()
        Thread {
            errorData.data = stderr.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }.start()
        let outputData = stdout.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return (process.terminationStatus, outputData, errorData.data)
    }

    static func parseTimestamp(_ text: String) -> Date? {
        Timestamp(rfc3339: text).map { Date(timeIntervalSince1970: $0.secondsSince1970) }
    }
}

/// Written by one reader thread, read after `DispatchGroup.wait()`, which orders the two.
private final class PipeContents: @unchecked Sendable {
    var data = Data()
}
