import CapstanStore
import Testing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Behaviour only a real S3 server can show: SeaweedFS checks signatures, assembles
/// multipart uploads and reports its own errors.
@Suite struct S3StoreIntegrationTests {
    /// Runs `body` with a store on the test server (its own prefix unless given), then shuts it down.
    func withS3Store(bucket: String = S3TestServer.bucket, prefix: String = "it/" + UUID().uuidString.lowercased(),
                     secret: String? = nil, accessKey: String? = nil,
                     configure: (inout S3Configuration) -> Void = { _ in },
                     _ body: (S3Store) async throws -> Void) async throws {
        try await S3TestServer.shared.ensureBucket()
        let settings = try S3TestServer.settings()
        var configuration = try settings.configuration()
        configure(&configuration)
        let credentials = StaticCredentialsProvider(AWSCredentials(
            accessKeyId: accessKey ?? settings.accessKey, secretAccessKey: secret ?? settings.secretKey))
        let store = try S3Store(url: .s3(bucket: bucket, prefix: prefix), configuration: configuration, credentials: credentials)
        do {
            try await body(store)
        } catch {
            try? await store.shutdown()
            throw error
        }
        try await store.shutdown()
    }

    @Test func largeObjectsRoundTripThroughMultipartUpload() async throws {
        try await withS3Store(configure: {
            $0.multipartThreshold = 5 * 1024 * 1024
            $0.partSize = 5 * 1024 * 1024
        }) { store in
            // Two whole parts and a short last one: the least that shows parts are joined in
            // order, and every byte is signed and compared in a debug build.
            let body = (0..<(10 * 1024 * 1024 + 123)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 13) }
            try await store.put("big/blob.bin", body)

            let info = try #require(try await store.head("big/blob.bin"))
            #expect(info.size == body.count)
            // S3 marks an object assembled from N parts with an ETag ending in "-N".
            #expect(info.etag.hasSuffix("-3"), "etag \(info.etag)")
            #expect(try await store.get("big/blob.bin") == body)
            #expect(try await store.list(prefix: "big/").objects == [ObjectSummary(key: "big/blob.bin", size: body.count)])
        }
    }

    @Test(arguments: [S3Configuration.PayloadSigning.signed, .unsigned])
    func bothPayloadSigningModesAreAccepted(mode: S3Configuration.PayloadSigning) async throws {
        try await withS3Store(configure: { $0.payloadSigning = mode }) { store in
            try await store.put("mode/\(mode).json", Array("{\"mode\":\"\(mode)\"}".utf8))
            #expect(try await store.get("mode/\(mode).json") == Array("{\"mode\":\"\(mode)\"}".utf8))
        }
    }

    @Test func listingsLongerThanAPageAreCompleted() async throws {
        try await withS3Store(configure: { $0.listPageSize = 2 }) { store in
            let keys = (0..<7).map { "items/\($0)/outputs.json" } + ["items/gathered.json", "items/z.json"]
            for key in keys { try await store.put(key, Array(key.utf8)) }

            #expect(try await store.list(prefix: "items/").keys == keys.sorted())
            let folders = try await store.list(prefix: "items/", delimiter: "/")
            #expect(folders.commonPrefixes == (0..<7).map { "items/\($0)/" })
            #expect(folders.keys == ["items/gathered.json", "items/z.json"])
        }
    }

    @Test func aMissingBucketIsReportedByName() async throws {
        let bucket = "capstan-missing-" + String(UUID().uuidString.lowercased().prefix(8))
        try await withS3Store(bucket: bucket, prefix: "p") { store in
            for operation in ["get", "put", "list"] {
                let error = try await #require(throws: StoreError.self, "\(operation)") {
                    switch operation {
                    case "get": _ = try await store.get("k.json")
                    case "put": try await store.put("k.json", [1])
                    default: _ = try await store.list(prefix: "")
                    }
                }
                #expect(error.code == .noSuchBucket, "\(operation): \(error)")
                #expect(error.message.contains(bucket), "\(operation): \(error)")
            }
        }
    }

    @Test func aMissingKeyIsNoSuchKeyNamingBucketAndKey() async throws {
        try await withS3Store(prefix: "missing") { store in
            let error = try await #require(throws: StoreError.self) { try await store.get("ns/wf/outputs.json") }
            #expect(error.code == .noSuchKey)
            #expect(error.message.contains("s3://\(S3TestServer.bucket)/missing/ns/wf/outputs.json"))
            #expect(try await store.head("ns/wf/outputs.json") == nil)
        }
    }

    @Test func aWrongSecretIsSignatureDoesNotMatchAndNotRetried() async throws {
        try await withS3Store(secret: "not-the-secret", configure: { $0.retry = StoreRetryPolicy(maxAttempts: 3, baseDelay: .seconds(30), maxDelay: .seconds(30)) }) { store in
            let started = ContinuousClock.now
            let error = try await #require(throws: StoreError.self) { try await store.put("k.json", [1]) }
            #expect(error.code == .signatureDoesNotMatch, "\(error)")
            #expect(error.message.contains("AWS_SECRET_ACCESS_KEY"))
            // A retry would have paused at least 15 s first.
            #expect(ContinuousClock.now - started < .seconds(12))
        }
    }

    @Test func anUnknownAccessKeyIsInvalidAccessKeyId() async throws {
        try await withS3Store(accessKey: "AKIDUNKNOWN000000000") { store in
            let error = try await #require(throws: StoreError.self) { try await store.get("k.json") }
            #expect(error.code == .invalidAccessKeyId, "\(error)")
            #expect(error.message.contains("AWS_ACCESS_KEY_ID"))
        }
    }
}
