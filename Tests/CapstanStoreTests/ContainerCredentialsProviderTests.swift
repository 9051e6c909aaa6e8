@testable import CapstanStore
import Foundation
import Testing

/// EKS Pod Identity and ECS task credentials, against a local server playing the agent.
@Suite struct ContainerCredentialsProviderTests {
    // 2015-08-30T12:36:00Z
    let start: Int64 = 1_440_938_160

    func makeProvider(_ server: CredentialsTestServer, transport: AsyncHTTPClientTransport, tokenFile: String,
                      clock: ManualClock, timeout: Duration = .seconds(2)) -> ContainerCredentialsProvider {
        ContainerCredentialsProvider(
            endpoint: ContainerCredentialsEndpoint(url: server.url + "/v1/credentials", variable: "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                                                   authorization: .file(tokenFile)),
            transport: transport, retry: StoreRetryPolicy(maxAttempts: 3), timeout: timeout,
            now: { clock.seconds }, sleep: { _ in })
    }

    @Test func sendsTheTokenFileAndReadsItAgainAfterEKSRotatesIt() async throws {
        let folder = try ScratchFolder.make()
        defer { ScratchFolder.remove(folder) }
        let tokenFile = folder + "/eks-pod-identity-token"
        try "first-token\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let clock = ManualClock(start)
        try await withCredentialsServer({ _, index in
            .init(index == 0 ? credentialsJSON(key: "FIRST", expiration: "2015-08-30T13:36:00Z")
                             : credentialsJSON(key: "SECOND", expiration: "2015-08-30T14:36:00Z"))
        }) { server in
            try await withStoreTransport { transport async throws in
                let provider = makeProvider(server, transport: transport, tokenFile: tokenFile, clock: clock)
                #expect(try await provider.credentials() == AWSCredentials(
                    accessKeyId: "FIRST", secretAccessKey: "secret-FIRST", sessionToken: "token-FIRST", expiration: start + 3600))
                clock.seconds = start + 3600 - 301
                #expect(try await provider.credentials().accessKeyId == "FIRST")
                #expect(server.requests.count == 1)

                try "rotated-token".write(toFile: tokenFile, atomically: true, encoding: .utf8)
                clock.seconds = start + 3600 - 299
                #expect(try await provider.credentials().accessKeyId == "SECOND")

                let requests = server.requests
                #expect(requests.map(\.method) == ["GET", "GET"])
                #expect(requests.map(\.path) == ["/v1/credentials", "/v1/credentials"])
                #expect(requests.map { $0.header("Authorization") } == ["first-token", "rotated-token"])
                #expect(requests[0].header("Accept") == "application/json")
            }
        }
    }

    @Test func anAgentRefusalSaysWhatItAnsweredAndIsNotRetried() async throws {
        let folder = try ScratchFolder.make()
        defer { ScratchFolder.remove(folder) }
        try "stale".write(toFile: folder + "/token", atomically: true, encoding: .utf8)
        try await withCredentialsServer({ _, _ in
            .init(#"{"code":"AccessDeniedException","message":"the service account token is not valid"}"#, status: 403)
        }) { server in
            try await withStoreTransport { transport async throws in
                let provider = makeProvider(server, transport: transport, tokenFile: folder + "/token", clock: ManualClock(start))
                let error = try await #require(throws: StoreError.self) { try await provider.credentials() }
                #expect(error.code == .credentials)
                #expect(error.message.contains("AWS_CONTAINER_CREDENTIALS_FULL_URI=\(server.url)/v1/credentials"))
                #expect(error.message.contains("HTTP 403: AccessDeniedException: the service account token is not valid"))
                #expect(server.requests.count == 1)
            }
        }
    }

    @Test func serverErrorsAreRetried() async throws {
        let folder = try ScratchFolder.make()
        defer { ScratchFolder.remove(folder) }
        try "t".write(toFile: folder + "/token", atomically: true, encoding: .utf8)
        try await withCredentialsServer({ _, index in
            index < 2 ? .init("busy", status: 503) : .init(credentialsJSON(key: "AFTER", expiration: "2015-08-30T13:36:00Z"))
        }) { server in
            try await withStoreTransport { transport async throws in
                let provider = makeProvider(server, transport: transport, tokenFile: folder + "/token", clock: ManualClock(start))
                #expect(try await provider.credentials().accessKeyId == "AFTER")
                #expect(server.requests.count == 3)
            }
        }
    }

    @Test func anAgentThatNeverAnswersFailsWithinTheDeadline() async throws {
        let folder = try ScratchFolder.make()
        defer { ScratchFolder.remove(folder) }
        try "t".write(toFile: folder + "/token", atomically: true, encoding: .utf8)
        try await withCredentialsServer({ _, _ in nil }) { server in
            try await withStoreTransport { transport async throws in
                let provider = makeProvider(server, transport: transport, tokenFile: folder + "/token",
                                            clock: ManualClock(start), timeout: .milliseconds(300))
                let began = ContinuousClock.now
                let error = try await #require(throws: StoreError.self) { try await provider.credentials() }
                // Three attempts of 0.3 s. Bounded loosely, as the whole test suite loads the
                // machine: what matters is that it ends, where a missing deadline would hang.
                #expect(ContinuousClock.now - began < .seconds(60))
                #expect(error.message.contains("unreachable after 3 attempts"))
            }
        }
    }

    @Test func aTokenWithALineBreakInsideIsRefusedBeforeAnyRequest() async throws {
        let folder = try ScratchFolder.make()
        defer { ScratchFolder.remove(folder) }
        try "part-one\nX-Injected: yes".write(toFile: folder + "/token", atomically: true, encoding: .utf8)
        let transport = ScriptedTransport { _, _ in .ok() }
        let provider = ContainerCredentialsProvider(
            endpoint: ContainerCredentialsEndpoint(url: "http://127.0.0.1:1/", variable: "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                                                   authorization: .file(folder + "/token")),
            transport: transport)
        let error = try await #require(throws: StoreError.self) { try await provider.credentials() }
        #expect(error.message.contains("line break"))
        #expect(await transport.requests.isEmpty)
    }

    @Test func aMissingTokenFileSaysWhichVariable() async throws {
        let endpoint = ContainerCredentialsEndpoint(url: "http://127.0.0.1:1/", variable: "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                                                    authorization: .file("/nonexistent/token"))
        let error = #expect(throws: StoreError.self) { try endpoint.authorizationToken() }
        #expect(error?.message.contains("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/nonexistent/token") == true)
    }

    @Test func theVariablesNameTheEndpointAndTheToken() throws {
        #expect(try ContainerCredentialsEndpoint.from(environment: [
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://169.254.170.23/v1/credentials",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "ignored when the file is set",
        ]) == ContainerCredentialsEndpoint(
            url: "http://169.254.170.23/v1/credentials", variable: "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            authorization: .file("/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token")))
        // ECS: the relative URI goes to the agent's fixed address, and wins over a full URI.
        #expect(try ContainerCredentialsEndpoint.from(environment: [
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/3f1c",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9/creds",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "Basic abc",
        ]) == ContainerCredentialsEndpoint(
            url: "http://169.254.170.2/v2/credentials/3f1c", variable: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            authorization: .value("Basic abc")))
        #expect(try ContainerCredentialsEndpoint.from(environment: ["AWS_REGION": "eu-west-1"]) == nil)
    }

    @Test(arguments: [
        "http://169.254.170.2/v2/credentials/x", "http://169.254.170.23/v1/credentials", "http://[fd00:ec2::23]/v1/credentials",
        "http://[FD00:EC2:0:0:0:0:0:23]:80/v1/credentials", "http://127.0.0.1:8080/creds", "http://127.1.2.3/creds",
        "http://localhost:9911/creds", "http://[::1]:9911/creds", "http://[::ffff:127.0.0.1]/creds",
        "https://credentials.example.com/role",
    ])
    func plainHTTPGoesOnlyToLoopbackOrTheAgents(url: String) throws {
        try ContainerCredentialsEndpoint.checkAllowed(url, variable: "AWS_CONTAINER_CREDENTIALS_FULL_URI")
    }

    @Test(arguments: [
        "http://10.0.0.7/creds", "http://credentials.example.com/role", "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/", "http://169.254.170.24/v1/credentials", "http://localhost.example.com/creds",
    ])
    func anyOtherPlainHTTPHostIsRefusedAtOpen(url: String) {
        let error = #expect(throws: StoreError.self) {
            try ObjectStores.open("s3://bucket/prefix", environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": url])
        }
        #expect(error?.code == .credentials)
        #expect(error?.message.contains("AWS_CONTAINER_CREDENTIALS_FULL_URI=\(url): refusing to send credentials requests over plain http") == true)
        #expect(error?.message.contains("use https for any other host") == true)
    }

    @Test func aFullURIThatIsNotAURLIsRefused() {
        let error = #expect(throws: StoreError.self) {
            try ContainerCredentialsEndpoint.from(environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "/v1/credentials"])
        }
        #expect(error?.message.contains("expected http://HOST[:PORT]/PATH") == true)
    }
}
