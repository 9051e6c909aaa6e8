import CapstanAPI
import Foundation
import Testing
import TestSupport

/// The process kubelet hands Secret keys to a local process as a real kubelet hands them to
/// a container: `secretKeyRef` variables, and items mounted by `subPath` at a file, which it
/// writes with mode 0600 for the process and removes after it.
@Suite struct ProcessKubeletSecretTests {
    /// A pod as Capstan builds it for `secrets: [{name: db, key: password, env: DB_PASSWORD},
    /// {name: db, key: token, path: FILE}]`.
    private func securedPod(_ name: String, file: String, script: String) -> JSONValue {
        simPod(name, command: ["sh", "-c", script],
               spec: ["volumes": [["name": "capstan-secrets", "projected": ["sources": [
                   ["secret": ["name": "db", "items": [["key": "token", "path": "1-token"]]]],
               ]]]]],
               container: [
                   "env": [["name": "DB_PASSWORD", "valueFrom": ["secretKeyRef": ["name": "db", "key": "password"]]],
                           ["name": "URL", "value": "postgres://app:$(DB_PASSWORD)@db"]],
                   "volumeMounts": [["name": "capstan-secrets", "mountPath": .string(file), "subPath": "1-token", "readOnly": true]],
               ])
    }

    /// The main container's waiting state.
    private func waiting(_ pod: JSONValue) -> JSONValue? { pod["status"]?["containerStatuses"]?[0]?["state"]?["waiting"] }

    private let dbSecret: JSONValue = [
        "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "db"],
        "data": ["password": .string(Data("s3cret".utf8).base64EncodedString())], "stringData": ["token": "tok-123"],
    ]

    private func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("capstan-secret-\(UUID().uuidString)/creds/token").path
    }

    @Test func theProcessSeesTheSecretAsAVariableAndAsAFileRemovedAfterIt() async throws {
        let setup = try await ProcessCluster.start()
        try await setup.cluster.create(dbSecret)
        let file = temporaryPath()
        let script = #"echo "password=$DB_PASSWORD url=$URL"; echo "file=$(cat \#(file))"; stat -c "mode=%a" \#(file)"#
        try await setup.cluster.create(securedPod("secured", file: file, script: script))
        let pod = try await setup.cluster.finishedPod("secured")
        #expect(pod.phase == "Succeeded", "\(pod.jsonString)")
        let log = try setup.log("secured")
        #expect(log.contains("password=s3cret url=postgres://app:s3cret@db\n"), "\(log)")
        #expect(log.contains("file=tok-123\n"), "\(log)")
        #expect(log.contains("mode=600\n"), "\(log)")
        #expect(!FileManager.default.fileExists(atPath: file), "the file is removed after the process")
        #expect(!FileManager.default.fileExists(atPath: (file as NSString).deletingLastPathComponent), "and the folder made for it")
    }

    @Test func aMissingSecretHoldsTheContainerInCreateContainerConfigErrorUntilItAppears() async throws {
        let setup = try await ProcessCluster.start()
        let file = temporaryPath()
        try await setup.cluster.create(securedPod("early", file: file, script: #"cat \#(file)"#))
        let held = try await setup.cluster.waitForPod("early", "CreateContainerConfigError") {
            waiting($0)?["reason"] == "CreateContainerConfigError"
        }
        #expect(held.phase == "Pending")
        #expect(waiting(held)?["message"] == "secret \"db\" not found")
        #expect(!FileManager.default.fileExists(atPath: file))

        try await setup.cluster.create(dbSecret)
        let pod = try await setup.cluster.finishedPod("early")
        #expect(pod.phase == "Succeeded", "\(pod.jsonString)")
        #expect(try setup.log("early") == "tok-123")
    }

    @Test func aFileThatCannotBeWrittenIsAConfigErrorNamingItAndNothingOfOursIsOverwritten() async throws {
        let setup = try await ProcessCluster.start()
        try await setup.cluster.create(dbSecret)
        let blocker = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-secret-\(UUID().uuidString)").path
        try Data("a file, not a folder".utf8).write(to: URL(fileURLWithPath: blocker))
        defer { try? FileManager.default.removeItem(atPath: blocker) }
        try await setup.cluster.create(securedPod("blocked", file: blocker + "/token", script: "true"))
        let blocked = try await setup.cluster.waitForPod("blocked", "CreateContainerConfigError") {
            waiting($0)?["reason"] == "CreateContainerConfigError"
        }
        let message = waiting(blocked)?["message"]?.stringValue ?? ""
        #expect(message.hasPrefix("cannot write secret file \(blocker)/token: "), "\(message)")

        // A file already there is the user's: it is neither overwritten nor removed.
        try await setup.cluster.create(securedPod("taken", file: blocker, script: "true"))
        let taken = try await setup.cluster.waitForPod("taken", "CreateContainerConfigError") {
            waiting($0)?["reason"] == "CreateContainerConfigError"
        }
        #expect(waiting(taken)?["message"]?.stringValue?
            .hasPrefix("cannot write secret file \(blocker): a file is already there") == true, "\(taken.jsonString)")
        #expect(try String(contentsOfFile: blocker, encoding: .utf8) == "a file, not a folder")
    }
}
