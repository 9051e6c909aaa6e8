@testable import CapstanStore
import Testing

/// Retries and error decoding, against a scripted server so every path runs in milliseconds.
@Suite struct S3ClientRetryTests {
    @Test func slowDownAndServerErrorsAreRetriedWithGrowingPauses() async throws {
        let (store, transport, sleeps) = try scriptedStore { _, index in
            switch index {
            case 0: return .s3Error(503, "SlowDown", "Please reduce your request rate.")
            case 1: return .s3Error(500, "InternalError")
            default: return .ok("payload")
            }
        }
        #expect(try await store.get("k") == Array("payload".utf8))
        #expect(await transport.requests.count == 3)
        let policy = StoreRetryPolicy(maxAttempts: 4)
        #expect(await sleeps.delays == [policy.delay(beforeRetry: 1, random: 0.5), policy.delay(beforeRetry: 2, random: 0.5)])
        #expect(await sleeps.delays[1] > sleeps.delays[0])
    }

    @Test func connectionFailuresAreRetried() async throws {
        let (store, transport, _) = try scriptedStore { _, index in
            if index < 2 { throw ConnectionRefused() }
            return .ok()
        }
        try await store.put("k", [1, 2, 3])
        #expect(await transport.requests.count == 3)
        // Every attempt is signed afresh and carries the whole body.
        #expect(await transport.requests.allSatisfy { $0.body == [1, 2, 3] && $0.header("Authorization") != nil })
    }

    @Test func givesUpAfterTheLastAttemptNamingTheEndpoint() async throws {
        let (store, transport, sleeps) = try scriptedStore { _, _ in throw ConnectionRefused() }
        let error = try await #require(throws: StoreError.self) { try await store.get("a/b.json") }
        #expect(error.code == .unavailable)
        #expect(error.message.contains("GET s3://bucket/pre/a/b.json"))
        #expect(error.message.contains("http://127.0.0.1:1 unreachable after 4 attempts"))
        #expect(await transport.requests.count == 4)
        #expect(await sleeps.delays.count == 3)
    }

    @Test func persistentServerErrorsEndAsUnavailable() async throws {
        let (store, transport, _) = try scriptedStore { _, _ in .s3Error(503, "SlowDown") }
        let error = try await #require(throws: StoreError.self) { try await store.put("k", [1]) }
        #expect(error.code == .unavailable)
        #expect(error.serverCode == "SlowDown")
        #expect(error.message.contains("gave up after 4 attempts"))
        #expect(await transport.requests.count == 4)
    }

    @Test(arguments: [
        (403, "SignatureDoesNotMatch", StoreError.Code.signatureDoesNotMatch, "AWS_SECRET_ACCESS_KEY"),
        (403, "InvalidAccessKeyId", .invalidAccessKeyId, "AWS_ACCESS_KEY_ID"),
        (403, "AccessDenied", .accessDenied, "not allowed to GET in bucket bucket"),
        (404, "NoSuchBucket", .noSuchBucket, "create bucket bucket"),
        (404, "NoSuchKey", .noSuchKey, "no object s3://bucket/pre/dir/k.json"),
        (400, "InvalidArgument", .other, "InvalidArgument: scripted"),
    ])
    func clientErrorsAreTypedNotRetriedAndNameBucketAndKey(status: Int, code: String, expected: StoreError.Code, hint: String) async throws {
        let (store, transport, _) = try scriptedStore { _, _ in .s3Error(status, code) }
        let error = try await #require(throws: StoreError.self) { try await store.get("dir/k.json") }
        #expect(error.code == expected)
        #expect(error.serverCode == code)
        #expect(error.httpStatus == status)
        #expect(error.message.contains("GET s3://bucket/pre/dir/k.json"))
        #expect(error.message.contains(hint))
        #expect(error.message.contains("request id REQ123"))
        #expect(await transport.requests.count == 1)
    }

    @Test func headOfAMissingObjectIsNilAndOfAForbiddenOneAnError() async throws {
        let (store, _, _) = try scriptedStore { request, _ in
            HTTPExchangeResponse(status: request.path.hasSuffix("/missing") ? 404 : 403, headers: [], body: [])
        }
        #expect(try await store.head("missing") == nil)
        let error = try await #require(throws: StoreError.self) { try await store.head("forbidden") }
        #expect(error.code == .accessDenied)
    }

    @Test func headReadsSizeAndUnquotedETag() async throws {
        let (store, transport, _) = try scriptedStore { _, _ in
            .ok(headers: [("Content-Length", "42"), ("ETag", "\"abc123\"")])
        }
        #expect(try await store.head("x") == ObjectInfo(size: 42, etag: "abc123"))
        #expect(await transport.requests.first?.method == "HEAD")
    }

    @Test func expiredTemporaryCredentialsAreRefreshedOnce() async throws {
        let provider = CountingCredentials()
        let (store, transport, _) = try scriptedStore(credentials: provider) { _, index in
            index == 0 ? .s3Error(400, "ExpiredToken", "The provided token has expired.") : .ok("fresh")
        }
        #expect(try await store.get("k") == Array("fresh".utf8))
        #expect(await provider.invalidations == 1)
        let tokens = await transport.requests.map { $0.header("x-amz-security-token") }
        #expect(tokens == ["token-1", "token-2"])
    }

    @Test func backoffDoublesUpToTheCapWithBoundedJitter() {
        let policy = StoreRetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(100), maxDelay: .seconds(1))
        #expect(policy.delay(beforeRetry: 1, random: 0) == .milliseconds(50))
        #expect(policy.delay(beforeRetry: 1, random: 1) == .milliseconds(100))
        #expect(policy.delay(beforeRetry: 3, random: 0) == .milliseconds(200))
        #expect(policy.delay(beforeRetry: 3, random: 1) == .milliseconds(400))
        #expect(policy.delay(beforeRetry: 9, random: 1) == .seconds(1))
        #expect(policy.delay(beforeRetry: 60, random: 0.5) == .milliseconds(750))
        #expect(StoreRetryPolicy(maxAttempts: 1).worstCaseTotalDelay == .zero)
    }
}

/// Hands out a new session token after each invalidation.
actor CountingCredentials: AWSCredentialsProvider {
    private(set) var invalidations = 0

    func credentials() async throws -> AWSCredentials {
        AWSCredentials(accessKeyId: "AKID", secretAccessKey: "secret", sessionToken: "token-\(invalidations + 1)")
    }

    func invalidate() async {
        invalidations += 1
    }
}
