import CapstanAPI
import Foundation
import Testing
import TestSupport

/// `capstan dev` with Secrets (SPEC §13): given in files beside the Workflow or with
/// `--secret`, read by the task as variables and files, and what a user sees when one is
/// missing or its file cannot be written.
@Suite(.serialized)
struct DevSecretTests {
    /// A folder of its own for each test's secret files.
    private func scratch() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-dev-secret-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    private func workflow(secretFile: String, extra: String = "") throws -> String {
        try Dev.writeWorkflow("""
            apiVersion: capstan.dev/v1alpha1
            kind: Workflow
            metadata: {name: secretive}
            spec:
              nodes:
                - name: use
                  image: busybox
                  secrets:
                    - {name: db, key: password, env: DB_PASSWORD}
                    - {name: api, key: token, path: \(secretFile)}\(extra)
                  command: [sh, -c, 'echo "env=$DB_PASSWORD"; echo "file=$(cat \(secretFile))"; ls -l \(secretFile)']
            """)
    }

    @Test func aSecretReachesTheTaskAsEnvAndAsAFileRemovedAfterTheAttempt() async throws {
        let folder = try scratch()
        let secretFile = "\(folder)/creds/token"
        // One Secret in a file of its own, base64 and stringData both; the other from a folder.
        let secrets = try Dev.writeWorkflow("""
            apiVersion: v1
            kind: Secret
            metadata: {name: db, namespace: elsewhere}
            data: {password: \(Data("from-data".utf8).base64EncodedString())}
            stringData: {user: app}
            """)
        let tokens = "\(folder)/api"
        try FileManager.default.createDirectory(atPath: tokens, withIntermediateDirectories: true)
        try Data("tok-123".utf8).write(to: URL(fileURLWithPath: "\(tokens)/token"))
        let run = try await Dev.run(try workflow(secretFile: secretFile), [secrets, "--secret", "api=\(tokens)"])
        #expect(run.exitCode == 0, "\(run.result)")
        let log = run.logs(workflow: "secretive", node: "use").compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }.joined()
        #expect(log.contains("env=from-data\n"), "\(log)")
        #expect(log.contains("file=tok-123\n"), "\(log)")
        #expect(log.contains("-rw------- "), "written with mode 0600: \(log)")
        #expect(!FileManager.default.fileExists(atPath: secretFile), "the file is removed after the attempt")
        #expect(!FileManager.default.fileExists(atPath: "\(folder)/creds"), "and the folder made for it")

        // KEY=VALUE pairs name the keys directly.
        let pairs = try await Dev.run(try workflow(secretFile: secretFile), ["--secret", "db=password=p,user=u", "--secret", "api=token=t"])
        #expect(pairs.exitCode == 0, "\(pairs.result)")
        let pairsLog = pairs.logs(workflow: "secretive", node: "use").compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }.joined()
        #expect(pairsLog.contains("env=p\n") && pairsLog.contains("file=t\n"), "\(pairsLog)")
    }

    @Test func aPathThatCannotBeWrittenFailsTheNodeWithConfigErrorNamingIt() async throws {
        let folder = try scratch()
        let blocker = "\(folder)/not-a-folder"
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
        let started = Date()
        let run = try await Dev.run(try workflow(secretFile: "\(blocker)/token"), ["--secret", "db=password=p", "--secret", "api=token=t"])
        #expect(run.exitCode == 1, "\(run.result)")
        let failure = run.node("use")?["failures"]?[0]
        #expect(failure?["reason"] == "ConfigError", "\(run.result)")
        #expect(failure?["message"]?.stringValue?.contains("cannot write secret file \(blocker)/token: ") == true, "\(run.result)")
        #expect(run.stderr.contains("ConfigError") && run.stderr.contains("\(blocker)/token"), "\(run.stderr)")
        #expect(Date().timeIntervalSince(started) < 60, "dev fails a config error in seconds, not a cluster's minute")
    }

    @Test func aMissingSecretFailsTheNodeWithTheKubeletsMessage() async throws {
        let run = try await Dev.run(try workflow(secretFile: "\(try scratch())/token"), ["--secret", "api=token=t"])
        #expect(run.exitCode == 1, "\(run.result)")
        #expect(run.node("use")?["failures"]?[0]?["reason"] == "ConfigError", "\(run.result)")
        #expect(run.stderr.contains("secret \"db\" not found"), "\(run.stderr)")
        #expect(run.logs(workflow: "secretive", node: "use").isEmpty, "the task never ran")
    }

    @Test func filesAndFlagsThatCannotBeUsedAreLocatedErrorsExiting2() async throws {
        let other = try Dev.writeWorkflow("""
            apiVersion: v1
            kind: Secret
            metadata: {name: db}
            data: {password: "not base64!"}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings}
            """)
        let run = try await Dev.run(try workflow(secretFile: "/tmp/unused"), [other, "--secret", "Bad_Name=a=b"])
        #expect(run.exitCode == 2, "\(run.result)")
        #expect(run.stderr.contains("\(other): error: [0].data.password: is not base64"), "\(run.stderr)")
        #expect(run.stderr.contains("\(other): error: [1].kind: capstan dev runs one Workflow with the WorkflowTemplates and Secrets it reads; it cannot use a ConfigMap"),
                "\(run.stderr)")
        #expect(run.stderr.contains("\"Bad_Name\" is not a valid Secret name"), "\(run.stderr)")

        let twice = try await Dev.run(try workflow(secretFile: "/tmp/unused"), [try workflow(secretFile: "/tmp/unused")])
        #expect(twice.exitCode == 2, "\(twice.result)")
        #expect(twice.stderr.contains("2 Workflows in"), "\(twice.stderr)")
    }
}
