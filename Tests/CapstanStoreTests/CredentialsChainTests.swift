@testable import CapstanStore
import Foundation
import Testing

/// The chain as a deployment meets it: a store opened from `AWS_*` variables signs its S3
/// requests with what the chosen source hands out. One local server plays both the
/// credentials endpoint and S3.
@Suite struct CredentialsChainTests {
    static let expiration = "2015-08-30T13:36:00Z"

    /// The path and signature of the S3 PUT a store opened from `environment` sends.
    func signedPut(environment: (CredentialsTestServer) -> [String: String],
                   credentials: @escaping @Sendable (CredentialsTestServer.Request) -> String?) async throws
        -> (requests: [CredentialsTestServer.Request], put: CredentialsTestServer.Request) {
        try await withCredentialsServer({ request, _ in
            if request.method == "PUT", request.path.hasPrefix("/bucket/") { return .init("") }
            return credentials(request).map { .init($0) } ?? .init("", status: 404)
        }) { server in
            var variables = environment(server)
            variables["AWS_ENDPOINT_URL_S3"] = server.url
            let store = try ObjectStores.open("s3://bucket/runs", environment: variables)
            do {
                try await store.put("ns/wf/outputs.json", Array("{}".utf8))
                try await store.shutdown()
            } catch {
                try? await store.shutdown()
                throw error
            }
            let requests = server.requests
            return (requests, try #require(requests.last))
        }
    }

    @Test func eksPodIdentitySignsS3RequestsWithTheAgentsCredentials() async throws {
        let folder = try ScratchFolder.make()
        defer { ScratchFolder.remove(folder) }
        try "pod-identity-jwt".write(toFile: folder + "/eks-pod-identity-token", atomically: true, encoding: .utf8)
        let (requests, put) = try await signedPut(environment: { server in
            ["AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + "/v1/credentials",
             "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": folder + "/eks-pod-identity-token"]
        }) { request in
            request.path == "/v1/credentials" && request.header("Authorization") == "pod-identity-jwt"
                ? credentialsJSON(key: "ASIAPOD", expiration: Self.expiration) : nil
        }
        #expect(requests.map { "\($0.method) \($0.path)" } == ["GET /v1/credentials", "PUT /bucket/runs/ns/wf/outputs.json"])
        #expect(put.header("Authorization")?.contains("Credential=ASIAPOD/") == true)
        #expect(put.header("X-Amz-Security-Token") == "token-ASIAPOD")
    }

    @Test func withNothingElseSetTheInstanceRoleSignsS3Requests() async throws {
        let (requests, put) = try await signedPut(environment: { server in
            ["AWS_EC2_METADATA_SERVICE_ENDPOINT": server.url]
        }) { request in
            switch (request.method, request.path) {
            case ("PUT", "/latest/api/token"): "session"
            case ("GET", "/latest/meta-data/iam/security-credentials/"): "node-role"
            case ("GET", "/latest/meta-data/iam/security-credentials/node-role"):
                credentialsJSON(key: "ASIANODE", expiration: Self.expiration)
            default: nil
            }
        }
        #expect(requests.count == 4)
        #expect(put.header("Authorization")?.contains("Credential=ASIANODE/") == true)
        #expect(put.header("X-Amz-Security-Token") == "token-ASIANODE")
    }

    @Test func theSourcesAreTriedInTheOrderOfTheAWSSDKs() throws {
        let keys = ["AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": "SK"]
        let webIdentity = ["AWS_WEB_IDENTITY_TOKEN_FILE": "/t", "AWS_ROLE_ARN": "arn:aws:iam::1:role/r"]
        let container = ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://169.254.170.23/v1/credentials",
                         "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "/p"]
        let metadata = ["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:1338"]
        func source(_ parts: [String: String]...) throws -> CredentialsSource {
            try CredentialsSource.from(environment: parts.reduce(into: [:]) { $0.merge($1) { first, _ in first } })
        }
        #expect(try source(keys, webIdentity, container, metadata) == .keys(AWSCredentials(accessKeyId: "AK", secretAccessKey: "SK")))
        #expect(try source(webIdentity, container, metadata)
                == .webIdentity(tokenFile: "/t", roleArn: "arn:aws:iam::1:role/r", sessionName: "capstan"))
        #expect(try source(container, metadata) == .container(ContainerCredentialsEndpoint(
            url: "http://169.254.170.23/v1/credentials", variable: "AWS_CONTAINER_CREDENTIALS_FULL_URI", authorization: .file("/p"))))
        #expect(try source(metadata) == .instanceMetadata(endpoint: "http://127.0.0.1:1338"))
        #expect(try source([:]) == .instanceMetadata(endpoint: "http://169.254.169.254"))
    }

    @Test func eachSourceGetsItsProvider() throws {
        let transport = ScriptedTransport { _, _ in .ok() }
        func provider(_ environment: [String: String]) throws -> any AWSCredentialsProvider {
            try CredentialsSource.from(environment: environment).provider(
                environment: environment, region: "us-east-1", transport: transport, retry: StoreRetryPolicy(), logger: .init(label: "test"))
        }
        #expect(try provider(["AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": "SK"]) is StaticCredentialsProvider)
        #expect(try provider(["AWS_WEB_IDENTITY_TOKEN_FILE": "/t", "AWS_ROLE_ARN": "r"]) is WebIdentityCredentialsProvider)
        #expect(try provider(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/x"]) is ContainerCredentialsProvider)
        #expect(try provider([:]) is InstanceMetadataCredentialsProvider)
    }
}
