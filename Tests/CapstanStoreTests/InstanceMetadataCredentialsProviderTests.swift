@testable import CapstanStore
import Synchronization
import Testing

/// The EC2 instance role through IMDSv2, against a local server playing instance metadata.
@Suite struct InstanceMetadataCredentialsProviderTests {
    // 2015-08-30T12:36:00Z
    let start: Int64 = 1_440_938_160
    static let rolesPath = "/latest/meta-data/iam/security-credentials/"

    /// Instance metadata as EC2 serves it: a session token for a PUT, and the role and its
    /// credentials only to requests carrying a token it issued. `tokens` lists what it issues.
    static func metadata(role: String = "capstan-node", tokens: [String] = ["token-1", "token-2"],
                         rejectFirstUseOf rejected: String? = nil,
                         credentials: @escaping @Sendable (Int) -> String) -> CredentialsTestServer.Responder {
        let issued = Mutex(0)
        let credentialAnswers = Mutex(0)
        let rejections = Mutex(Set<String>())
        return { request, _ in
            if request.method == "PUT", request.path == "/latest/api/token" {
                guard request.header("X-aws-ec2-metadata-token-ttl-seconds") == "21600" else { return .init("", status: 400) }
                return .init(issued.withLock { index in
                    defer { index += 1 }
                    return tokens[min(index, tokens.count - 1)]
                })
            }
            guard request.method == "GET", let token = request.header("X-aws-ec2-metadata-token"), tokens.contains(token) else {
                return .init("", status: 401)
            }
            if token == rejected, rejections.withLock({ $0.insert(token).inserted }) {
                return .init("", status: 401)
            }
            switch request.path {
            case rolesPath: return .init(role + "\n")
            case rolesPath + role: return .init(credentials(credentialAnswers.withLock { index in
                defer { index += 1 }
                return index
            }))
            default: return .init("", status: 404)
            }
        }
    }

    static func imdsAnswer(key: String, expiration: String) -> String {
        #"{"Code":"Success","LastUpdated":"2015-08-30T12:30:00Z","Type":"AWS-HMAC","AccessKeyId":"\#(key)","SecretAccessKey":"secret-\#(key)","Token":"token-\#(key)","Expiration":"\#(expiration)"}"#
    }

    func makeProvider(_ server: CredentialsTestServer, transport: AsyncHTTPClientTransport,
                      clock: ManualClock) -> InstanceMetadataCredentialsProvider {
        InstanceMetadataCredentialsProvider(endpoint: server.url, transport: transport, now: { clock.seconds }, sleep: { _ in })
    }

    @Test func getsASessionTokenThenTheRoleThenItsCredentials() async throws {
        let clock = ManualClock(start)
        try await withCredentialsServer(Self.metadata { _ in Self.imdsAnswer(key: "ASIANODE", expiration: "2015-08-30T18:36:00Z") }) { server in
            try await withStoreTransport { transport async throws in
                let provider = makeProvider(server, transport: transport, clock: clock)
                #expect(try await provider.credentials() == AWSCredentials(
                    accessKeyId: "ASIANODE", secretAccessKey: "secret-ASIANODE", sessionToken: "token-ASIANODE",
                    expiration: start + 6 * 3600))
                let requests = server.requests
                #expect(requests.map { "\($0.method) \($0.path)" } == [
                    "PUT /latest/api/token", "GET \(Self.rolesPath)", "GET \(Self.rolesPath)capstan-node",
                ])
                #expect(requests[0].header("X-aws-ec2-metadata-token-ttl-seconds") == "21600")
                #expect(requests[1].header("X-aws-ec2-metadata-token") == "token-1")
                #expect(requests[2].header("X-aws-ec2-metadata-token") == "token-1")
            }
        }
    }

    @Test func refreshesBeforeExpiryReusingTheSessionToken() async throws {
        let clock = ManualClock(start)
        try await withCredentialsServer(Self.metadata { index in
            index == 0 ? Self.imdsAnswer(key: "FIRST", expiration: "2015-08-30T13:36:00Z")
                       : Self.imdsAnswer(key: "SECOND", expiration: "2015-08-30T14:36:00Z")
        }) { server in
            try await withStoreTransport { transport async throws in
                let provider = makeProvider(server, transport: transport, clock: clock)
                #expect(try await provider.credentials().accessKeyId == "FIRST")
                clock.seconds = start + 3600 - 301
                #expect(try await provider.credentials().accessKeyId == "FIRST")
                #expect(server.requests.count == 3)

                clock.seconds = start + 3600 - 299
                #expect(try await provider.credentials().accessKeyId == "SECOND")
                #expect(server.requests.count == 5)
                #expect(server.requests.filter { $0.method == "PUT" }.count == 1)
            }
        }
    }

    @Test func aRejectedSessionTokenIsReplacedOnce() async throws {
        let clock = ManualClock(start)
        let respond = Self.metadata(rejectFirstUseOf: "token-1") { _ in
            Self.imdsAnswer(key: "AFTER", expiration: "2015-08-30T18:36:00Z")
        }
        try await withCredentialsServer(respond) { server in
            try await withStoreTransport { transport async throws in
                let provider = makeProvider(server, transport: transport, clock: clock)
                #expect(try await provider.credentials().accessKeyId == "AFTER")
                #expect(server.requests.map { "\($0.method) \($0.header("X-aws-ec2-metadata-token") ?? "-")" } == [
                    "PUT -", "GET token-1", "PUT -", "GET token-2", "GET token-2",
                ])
            }
        }
    }

    @Test func anInstanceWithoutARoleSaysSo() async throws {
        try await withCredentialsServer(Self.metadata(role: "") { _ in "" }) { server in
            try await withStoreTransport { transport async throws in
                let provider = makeProvider(server, transport: transport, clock: ManualClock(start))
                let error = try await #require(throws: StoreError.self) { try await provider.credentials() }
                #expect(error.code == .credentials)
                #expect(error.message.hasPrefix("EC2 instance metadata (IMDSv2) at \(server.url): no IAM role is attached"))
            }
        }
    }

    @Test func aFailureCodeInTheAnswerIsReported() async throws {
        let answer = #"{"Code":"AssumeRoleUnauthorizedAccess","Message":"EC2 cannot assume the role capstan-node.","LastUpdated":"2015-08-30T12:30:00Z"}"#
        try await withCredentialsServer(Self.metadata { _ in answer }) { server in
            try await withStoreTransport { transport async throws in
                let provider = makeProvider(server, transport: transport, clock: ManualClock(start))
                let error = try await #require(throws: StoreError.self) { try await provider.credentials() }
                #expect(error.message.hasSuffix("credentials of role capstan-node: AssumeRoleUnauthorizedAccess: EC2 cannot assume the role capstan-node."))
                #expect(error.serverCode == "AssumeRoleUnauthorizedAccess")
            }
        }
    }

    @Test func aMachineWhereMetadataNeverAnswersFailsFastSayingWhatWasTried() async throws {
        try await withCredentialsServer({ _, _ in nil }) { server in
            try await withStoreTransport { transport async throws in
                let environment = ["AWS_EC2_METADATA_SERVICE_ENDPOINT": server.url]
                let provider = try CredentialsSource.from(environment: environment).provider(
                    environment: environment, region: "us-east-1", transport: transport, retry: StoreRetryPolicy(), logger: .init(label: "test"))
                let began = ContinuousClock.now
                let error = try await #require(throws: StoreError.self) { try await provider.credentials() }
                // Two attempts of one second and a short pause between them: about two seconds,
                // bounded loosely for a machine the whole suite loads; the store's own policy
                // would take many minutes.
                #expect(ContinuousClock.now - began < .seconds(60))
                #expect(error.code == .credentials)
                #expect(error.message.hasPrefix("no S3 credentials: none of AWS_ACCESS_KEY_ID (static keys), AWS_WEB_IDENTITY_TOKEN_FILE (IRSA), AWS_CONTAINER_CREDENTIALS_FULL_URI (EKS Pod Identity) or AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (ECS) is set, and the EC2 instance role from instance metadata (IMDSv2) at \(server.url) failed: "))
                #expect(error.message.contains("\(server.url)/latest/api/token unreachable after 2 attempts"))
                #expect(error.message.contains("AWS_EC2_METADATA_DISABLED=true"))
                #expect(server.requests.map(\.method) == ["PUT", "PUT"])
            }
        }
    }

    @Test func metadataTurnedOffForTheInstanceIsNotRetried() async throws {
        try await withCredentialsServer({ _, _ in .init("", status: 403) }) { server in
            try await withStoreTransport { transport async throws in
                let provider = makeProvider(server, transport: transport, clock: ManualClock(start))
                let error = try await #require(throws: StoreError.self) { try await provider.credentials() }
                #expect(error.message.contains("PUT /latest/api/token: HTTP 403: on EC2 this means instance metadata is turned off for the instance"))
                #expect(server.requests.count == 1)
            }
        }
    }

    @Test func theVariablesPickTheEndpointOrTurnItOff() throws {
        #expect(try InstanceMetadataCredentialsProvider.endpoint(environment: [:]) == "http://169.254.169.254")
        #expect(try InstanceMetadataCredentialsProvider.endpoint(environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "IPv6"])
                == "http://[fd00:ec2::254]")
        #expect(try InstanceMetadataCredentialsProvider.endpoint(environment: [
            "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:1338", "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "IPv6",
        ]) == "http://127.0.0.1:1338")
        for disabled in ["true", "TRUE", "True"] {
            #expect(try InstanceMetadataCredentialsProvider.endpoint(environment: [
                "AWS_EC2_METADATA_DISABLED": disabled, "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:1338",
            ]) == nil)
        }
        #expect(try InstanceMetadataCredentialsProvider.endpoint(environment: ["AWS_EC2_METADATA_DISABLED": "false"]) != nil)
        #expect(throws: StoreError.self) {
            try InstanceMetadataCredentialsProvider.endpoint(environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "IPv5"])
        }
    }
}
