import CapstanKube
import Foundation
import Testing

@Suite struct KubeConfigTests {
    @Test func readsInlineCertificateDataAndToken() async throws {
        let folder = try TemporaryFolder()
        let path = try folder.write("config", """
            apiVersion: v1
            kind: Config
            current-context: prod
            clusters:
            - name: prod-cluster
              cluster:
                server: https://10.1.2.3:6443
                certificate-authority-data: \(base64(TestCertificates.caCertificate))
            contexts:
            - name: prod
              context: {cluster: prod-cluster, user: admin, namespace: ml}
            users:
            - name: admin
              user:
                client-certificate-data: \(base64(TestCertificates.clientCertificate))
                client-key-data: \(base64(TestCertificates.clientKey))
                token: abc123
            """)
        let config = try KubeConfig.load(kubeconfigPath: path, environment: [:])
        #expect(config.server.absoluteString == "https://10.1.2.3:6443")
        #expect(config.certificateAuthorityPEM == Array(TestCertificates.caCertificate.utf8))
        #expect(config.clientCertificatePEM == Array(TestCertificates.clientCertificate.utf8))
        #expect(config.clientKeyPEM == Array(TestCertificates.clientKey.utf8))
        #expect(config.namespace == "ml")
        #expect(config.insecureSkipTLSVerify == false)
        guard case .bearer(let tokens) = config.credentials else {
            Issue.record("expected a bearer token, got \(config.credentials)")
            return
        }
        #expect(try await tokens.token() == "abc123")
        // The PEM material must be usable for TLS, not merely decoded.
        let client = try KubeClient(config: config)
        try await client.shutdown()
    }

    @Test func readsCertificateFilesRelativeToTheKubeconfig() async throws {
        let folder = try TemporaryFolder()
        try folder.write("pki/ca.crt", TestCertificates.caCertificate)
        try folder.write("pki/client.crt", TestCertificates.clientCertificate)
        try folder.write("pki/client.key", TestCertificates.clientKey)
        try folder.write("pki/token", "file-token\n")
        let path = try folder.write("kube/config", """
            current-context: dev
            clusters:
            - name: c
              cluster: {server: "https://kube.example:443", certificate-authority: ../pki/ca.crt}
            contexts:
            - name: dev
              context: {cluster: c, user: u}
            - name: other
              context: {cluster: c, user: t}
            users:
            - name: u
              user: {client-certificate: ../pki/client.crt, client-key: \(folder.path)/pki/client.key}
            - name: t
              user: {tokenFile: ../pki/token}
            """)
        let config = try KubeConfig.load(kubeconfigPath: path, environment: [:])
        #expect(config.certificateAuthorityPEM == Array(TestCertificates.caCertificate.utf8))
        #expect(config.clientCertificatePEM == Array(TestCertificates.clientCertificate.utf8))
        #expect(config.clientKeyPEM == Array(TestCertificates.clientKey.utf8))
        #expect(config.namespace == "default")

        let other = try KubeConfig.load(kubeconfigPath: path, context: "other", environment: [:])
        guard case .bearer(let tokens) = other.credentials else {
            Issue.record("expected a token file, got \(other.credentials)")
            return
        }
        #expect(try await tokens.token() == "file-token")
    }

    @Test func kubeconfigListUsesFirstExistingFileAndMerges() throws {
        let folder = try TemporaryFolder()
        let first = try folder.write("a", """
            current-context: a
            contexts:
            - name: a
              context: {cluster: shared, user: ""}
            """)
        let second = try folder.write("b", """
            current-context: b
            clusters:
            - name: shared
              cluster: {server: "http://127.0.0.1:8001", insecure-skip-tls-verify: true}
            """)
        let environment = ["KUBECONFIG": "\(folder.path)/missing:\(first):\(second)", "KUBERNETES_SERVICE_HOST": "10.0.0.1"]
        let config = try KubeConfig.load(environment: environment)
        #expect(config.server.absoluteString == "http://127.0.0.1:8001")
        #expect(config.insecureSkipTLSVerify)
        guard case .none = config.credentials else {
            Issue.record("expected no credentials")
            return
        }
    }

    @Test func explicitPathBeatsEnvironment() throws {
        let folder = try TemporaryFolder()
        let explicit = try folder.write("explicit", minimalKubeconfig(server: "http://127.0.0.1:1111"))
        let fromEnv = try folder.write("env", minimalKubeconfig(server: "http://127.0.0.1:2222"))
        let config = try KubeConfig.load(kubeconfigPath: explicit, environment: ["KUBECONFIG": fromEnv])
        #expect(config.server.port == 1111)
    }

    @Test func fallsBackToHomeKubeconfig() throws {
        let folder = try TemporaryFolder()
        try folder.write(".kube/config", minimalKubeconfig(server: "http://127.0.0.1:3333"))
        let config = try KubeConfig.load(environment: ["HOME": folder.path])
        #expect(config.server.port == 3333)
    }

    @Test func problemsNameTheFileAndTheFix() throws {
        let folder = try TemporaryFolder()
        let path = try folder.write("config", """
            current-context: nowhere
            contexts:
            - name: here
              context: {cluster: c}
            """)
        let error = #expect(throws: KubeConfigError.self) { try KubeConfig.load(kubeconfigPath: path, environment: [:]) }
        #expect(error?.location == path)
        #expect(error?.reason.contains("context \"nowhere\" is not defined") == true)

        let missing = #expect(throws: KubeConfigError.self) {
            try KubeConfig.load(kubeconfigPath: folder.path + "/absent", environment: [:])
        }
        #expect(missing?.description.contains("absent") == true)

        let keyless = try folder.write("keyless", """
            current-context: x
            clusters: [{name: c, cluster: {server: "https://h:1"}}]
            contexts: [{name: x, context: {cluster: c, user: u}}]
            users: [{name: u, user: {client-certificate-data: \(base64(TestCertificates.clientCertificate))}}]
            """)
        let keyError = #expect(throws: KubeConfigError.self) { try KubeConfig.load(kubeconfigPath: keyless, environment: [:]) }
        #expect(keyError?.reason.contains("without its key") == true)
    }

    @Test func inClusterConfigReadsServiceAccountAndRotatedToken() async throws {
        let folder = try TemporaryFolder()
        try folder.write("sa/token", "first-token")
        try folder.write("sa/ca.crt", TestCertificates.caCertificate)
        try folder.write("sa/namespace", "capstan-system\n")
        let environment = ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"]
        let config = try KubeConfig.load(environment: environment, inClusterPaths: InClusterPaths(folder: folder.path + "/sa"))
        #expect(config.server.absoluteString == "https://10.96.0.1:443")
        #expect(config.namespace == "capstan-system")
        #expect(config.certificateAuthorityPEM == Array(TestCertificates.caCertificate.utf8))
        guard case .bearer(let tokens) = config.credentials else {
            Issue.record("expected the service-account token")
            return
        }
        #expect(try await tokens.token() == "first-token")
        try folder.write("sa/token", "rotated-token")
        // Cached until the refresh interval passes or the server answers 401.
        #expect(try await tokens.token() == "first-token")
        tokens.invalidate()
        #expect(try await tokens.token() == "rotated-token")
    }

    @Test func tokenFileIsReReadAfterTheRefreshInterval() async throws {
        let folder = try TemporaryFolder()
        let path = try folder.write("token", "one")
        let tokens = TokenSource(file: path, refreshInterval: .milliseconds(50))
        #expect(try await tokens.token() == "one")
        try folder.write("token", "two")
        try await Task.sleep(for: .milliseconds(80))
        #expect(try await tokens.token() == "two")
    }

    @Test func execPluginTokensAreCachedUntilExpiryOrInvalidation() async throws {
        let folder = try TemporaryFolder()
        let runs = folder.path + "/runs"
        // Prints a token valid for an hour; counts its runs; shows it got its env and exec info.
        try folder.write("bin/get-token", """
            #!/bin/sh
            echo run >> \(runs)
            case "$KUBERNETES_EXEC_INFO" in *ExecCredential*) ;; *) echo "no exec info" >&2; exit 3;; esac
            printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s-%s","expirationTimestamp":"%s"}}' "$PREFIX" "$1" "$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)"
            """)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path + "/bin/get-token")
        let path = try folder.write("kube/config", """
            current-context: eks
            clusters: [{name: c, cluster: {server: "https://eks.example:443"}}]
            contexts: [{name: eks, context: {cluster: c, user: u}}]
            users:
            - name: u
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1beta1
                  command: ../bin/get-token
                  args: [cluster-a]
                  env: [{name: PREFIX, value: eks}]
                  interactiveMode: Never
            """)
        let config = try KubeConfig.load(kubeconfigPath: path, environment: [:])
        guard case .bearer(let tokens) = config.credentials else {
            Issue.record("expected a token from the exec plugin")
            return
        }
        async let first = tokens.token()
        async let concurrent = tokens.token()
        #expect(try await first == "eks-cluster-a")
        #expect(try await concurrent == "eks-cluster-a")
        #expect(try await tokens.token() == "eks-cluster-a")
        func runCount() throws -> Int { try String(contentsOfFile: runs, encoding: .utf8).split(separator: "\n").count }
        #expect(try runCount() == 1, "one run serves concurrent requests and later ones until expiry")
        tokens.invalidate()
        #expect(try await tokens.token() == "eks-cluster-a")
        #expect(try runCount() == 2)
    }

    @Test func failingExecPluginReportsItsOutput() async throws {
        let folder = try TemporaryFolder()
        try folder.write("fail", "#!/bin/sh\necho 'token expired: run aws sso login' >&2\nexit 1\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path + "/fail")
        let path = try folder.write("config", """
            current-context: x
            clusters: [{name: c, cluster: {server: "https://h:1"}}]
            contexts: [{name: x, context: {cluster: c, user: u}}]
            users: [{name: u, user: {exec: {command: \(folder.path)/fail}}}]
            """)
        let config = try KubeConfig.load(kubeconfigPath: path, environment: [:])
        guard case .bearer(let tokens) = config.credentials else {
            Issue.record("expected a token source")
            return
        }
        let error = await #expect(throws: KubeConfigError.self) { try await tokens.token() }
        #expect(error?.reason.contains("aws sso login") == true, "\(String(describing: error))")
        #expect(error?.location.contains(path) == true)
    }

    private func minimalKubeconfig(server: String) -> String {
        """
        current-context: x
        clusters: [{name: c, cluster: {server: "\(server)"}}]
        contexts: [{name: x, context: {cluster: c}}]
        """
    }
}
