import Testing
import CapstanAPI
@testable import CapstanEngine

/// A node's `secrets` (SPEC §13): every mistake is a located error before anything runs, and
/// the pod hands each key to the task as a `secretKeyRef` variable or a read-only file.
@Suite struct SecretTests {
    /// The problems of a one-node workflow with these `secrets` and other node fields.
    static func problems(_ secrets: String, node extra: String = "") -> [Diagnostic] {
        let yaml = "nodes: [{name: a, image: busybox, secrets: \(secrets)\(extra)}]"
        guard let spec = try? YAMLDocuments.load(yaml).first else { return [Diagnostic(path: "(yaml)", message: yaml)] }
        return ValidatorTests.problems(of: spec)
    }

    @Test(arguments: [
        ("[{name: db, key: password}]", "spec.nodes[0].secrets[0]", "set env (an environment variable) or path"),
        ("[{name: db, key: password, env: A, path: /a}]", "spec.nodes[0].secrets[0]", "set either env or path, not both"),
        ("[{key: password, env: A}]", "spec.nodes[0].secrets[0].name", "is required"),
        ("[{name: db, env: A}]", "spec.nodes[0].secrets[0].key", "is required"),
        ("[{name: db, key: password, env: A, mode: 0400}]", "spec.nodes[0].secrets[0].mode", "unknown field \"mode\""),
        ("{name: db}", "spec.nodes[0].secrets", "must be a list"),
        ("[{name: Db_Creds, key: password, env: A}]", "spec.nodes[0].secrets[0].name", "\"Db_Creds\" is not a valid Secret name"),
        ("[{name: db, key: \"pass word\", env: A}]", "spec.nodes[0].secrets[0].key", "\"pass word\" is not a valid Secret key"),
        ("[{name: db, key: ..data, env: A}]", "spec.nodes[0].secrets[0].key", "not a valid Secret key"),
        ("[{name: db, key: password, env: 1PASS}]", "spec.nodes[0].secrets[0].env", "\"1PASS\" is not a valid environment variable name"),
        ("[{name: db, key: password, env: CAPSTAN_INPUTS}]", "spec.nodes[0].secrets[0].env", "reserved"),
        ("[{name: db, key: a, env: PASS}, {name: other, key: b, env: PASS}]", "spec.nodes[0].secrets[1].env",
         "two secrets set the environment variable \"PASS\""),
        ("[{name: db, key: password, path: etc/token}]", "spec.nodes[0].secrets[0].path", "must be an absolute path"),
        ("[{name: db, key: password, path: /etc/creds/}]", "spec.nodes[0].secrets[0].path", "must name a file"),
        ("[{name: db, key: password, path: /etc/../token}]", "spec.nodes[0].secrets[0].path", "must name a file"),
        ("[{name: db, key: password, path: /}]", "spec.nodes[0].secrets[0].path", "must name a file"),
        ("[{name: db, key: a, path: /etc/token}, {name: other, key: b, path: /etc/token}]", "spec.nodes[0].secrets[1].path",
         "two secrets are mounted at /etc/token"),
        ("[{name: db, key: password, path: /dev/termination-log}]", "spec.nodes[0].secrets[0].path", "where the task writes its outputs"),
    ])
    func aMistakeIsReportedAtItsField(secrets: String, path: String, message: String) {
        let problems = Self.problems(secrets)
        #expect(problems.contains { $0.path == path && $0.message.contains(message) }, "got: \(problems)")
    }

    @Test func aSecretVariableMustNotReplaceTheNodesOwnEnv() {
        let problems = Self.problems("[{name: db, key: password, env: PASS}]", node: ", env: [{name: PASS, value: x}]")
        #expect(problems.map(\.description) == [
            "spec.nodes[0].secrets[0].env: \"PASS\" is also set by the node's env; give the secret another variable",
        ])
    }

    @Test func aSecretFileMustNotClashWithThePodTemplate() {
        let problems = Self.problems(
            "[{name: db, key: password, path: /data/token}]",
            node: ", podTemplate: {volumes: [{name: capstan-secrets, emptyDir: {}}], volumeMounts: [{name: capstan-secrets, mountPath: /data/token}]}")
        #expect(Set(problems.map(\.path)) == ["spec.nodes[0].podTemplate.volumes", "spec.nodes[0].secrets[0].path"], "\(problems)")
    }

    @Test func validSecretsCompileAndAreInheritedFromDefaults() throws {
        let spec = try #require(try YAMLDocuments.load("""
            defaults: {image: busybox, secrets: [{name: db.creds, key: DB_PASSWORD-1, env: DB_PASSWORD}]}
            nodes:
              - {name: a}
              - {name: b, secrets: [{name: tls, key: tls.crt, path: /etc/tls/tls.crt}, {name: tls, key: tls.key, path: /etc/tls/tls.key}]}
            """).first)
        let compiled = try WorkflowCompiler.compile(spec).get()
        #expect(compiled["a"]?.settings.secrets == [SecretReference(name: "db.creds", key: "DB_PASSWORD-1", target: .env("DB_PASSWORD"))])
        #expect(compiled["b"]?.settings.secrets?.map(\.target) == [.path("/etc/tls/tls.crt"), .path("/etc/tls/tls.key")])
    }

    @Test func thePodReadsEachSecretFromTheSecretAndMountsEachFileReadOnly() throws {
        var h = try EngineHarness("""
            defaults: {image: busybox}
            nodes:
              - name: train
                env: [{name: URL, value: "postgres://app:$(DB_PASSWORD)@db"}]
                secrets:
                  - {name: db, key: password, env: DB_PASSWORD}
                  - {name: tls, key: tls.crt, path: /etc/tls/tls.crt}
                  - {name: tls, key: tls.key, path: /etc/tls/tls.key}
                  - {name: cloud, key: token, path: /var/run/cloud/token}
                podTemplate:
                  volumes: [{name: scratch, emptyDir: {}}]
                  volumeMounts: [{name: scratch, mountPath: /scratch}]
            """)
        _ = h.reconcile()
        let spec = try #require(h.createdPods(of: "train").first?.manifest["spec"])
        let container = try #require(spec["containers"]?[0])
        let env = container["env"]?.arrayValue ?? []
        let names = env.compactMap { $0["name"]?.stringValue }
        // After Capstan's own variables, before the node's env, which may use it as $(DB_PASSWORD).
        #expect(names.suffix(2) == ["DB_PASSWORD", "URL"], "\(names)")
        #expect(env.first { $0["name"] == "DB_PASSWORD" } == [
            "name": "DB_PASSWORD", "valueFrom": ["secretKeyRef": ["name": "db", "key": "password"]],
        ])
        #expect(spec["volumes"] == [
            ["name": "scratch", "emptyDir": [:]],
            ["name": "capstan-secrets", "projected": ["sources": [
                ["secret": ["name": "tls", "items": [["key": "tls.crt", "path": "1-tls.crt"]]]],
                ["secret": ["name": "tls", "items": [["key": "tls.key", "path": "2-tls.key"]]]],
                ["secret": ["name": "cloud", "items": [["key": "token", "path": "3-token"]]]],
            ]]],
        ])
        // One file per mount: two secrets share /etc/tls and nothing else there is hidden.
        #expect(container["volumeMounts"] == [
            ["name": "scratch", "mountPath": "/scratch"],
            ["name": "capstan-secrets", "mountPath": "/etc/tls/tls.crt", "subPath": "1-tls.crt", "readOnly": true],
            ["name": "capstan-secrets", "mountPath": "/etc/tls/tls.key", "subPath": "2-tls.key", "readOnly": true],
            ["name": "capstan-secrets", "mountPath": "/var/run/cloud/token", "subPath": "3-token", "readOnly": true],
        ])
    }

    @Test func aNodeWithoutSecretsGetsNoSecretVolume() throws {
        var h = try EngineHarness("nodes: [{name: a, image: busybox}]")
        _ = h.reconcile()
        let spec = try #require(h.createdPods(of: "a").first?.manifest["spec"])
        #expect(spec["volumes"] == nil)
        #expect(spec["containers"]?[0]?["volumeMounts"] == nil)
    }
}
