@testable import CapstanStore
import Testing

@Suite struct SigV4SignerTests {
    @Test(arguments: SigV4Suite.vectors)
    func reproducesTheAWSTestSuite(vector: SigV4Vector) throws {
        let signer = SigV4Signer(
            credentials: AWSCredentials(accessKeyId: SigV4Suite.accessKey, secretAccessKey: SigV4Suite.secret),
            region: SigV4Suite.region, service: SigV4Suite.service)
        let date = try #require(AmzDate(timestamp: SigV4Suite.date))
        let signed = signer.sign(
            SigV4Signer.Request(method: vector.method, path: vector.path, query: vector.query,
                                headers: vector.headers, payloadHash: SigV4Signer.hexSHA256(Array(vector.body.utf8))),
            at: date)
        if let canonicalRequest = vector.canonicalRequest {
            #expect(signed.canonicalRequest == canonicalRequest)
        }
        if let stringToSign = vector.stringToSign {
            #expect(signed.stringToSign == stringToSign)
        }
        #expect(signed.authorization == vector.authorization)
    }

    // The S3 examples from "Signature Calculations for the Authorization Header" in the Amazon
    // S3 API reference: https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
    static let s3Credentials = AWSCredentials(
        accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    static let s3Signer = SigV4Signer(credentials: s3Credentials, region: "us-east-1", service: "s3")
    static let s3Date = AmzDate(timestamp: "20130524T000000Z")!
    static let emptyHash = SigV4Signer.emptyPayloadHash

    @Test func s3GetObjectWithRangeExample() {
        let signed = Self.s3Signer.sign(
            SigV4Signer.Request(method: "GET", path: "/test.txt", headers: [
                ("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9"),
                ("x-amz-content-sha256", Self.emptyHash), ("x-amz-date", "20130524T000000Z"),
            ], payloadHash: Self.emptyHash),
            at: Self.s3Date)
        #expect(signed.canonicalRequest == """
            GET
            /test.txt

            host:examplebucket.s3.amazonaws.com
            range:bytes=0-9
            x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            x-amz-date:20130524T000000Z

            host;range;x-amz-content-sha256;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """)
        #expect(signed.stringToSign == """
            AWS4-HMAC-SHA256
            20130524T000000Z
            20130524/us-east-1/s3/aws4_request
            7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972
            """)
        #expect(signed.signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(signed.authorization == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test func s3PutObjectExampleEncodesTheKeyOnce() {
        let body = Array("Welcome to Amazon S3.".utf8)
        let hash = SigV4Signer.hexSHA256(body)
        #expect(hash == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        let signed = Self.s3Signer.sign(
            SigV4Signer.Request(method: "PUT", path: "/test$file.text", headers: [
                ("Host", "examplebucket.s3.amazonaws.com"), ("Date", "Fri, 24 May 2013 00:00:00 GMT"),
                ("x-amz-date", "20130524T000000Z"), ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
                ("x-amz-content-sha256", hash),
            ], payloadHash: hash),
            at: Self.s3Date)
        #expect(signed.canonicalRequest.hasPrefix("PUT\n/test%24file.text\n\n"))
        #expect(signed.stringToSign.hasSuffix("\n9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d"))
        #expect(signed.signature == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    @Test(arguments: [
        ([("lifecycle", "")], "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"),
        ([("max-keys", "2"), ("prefix", "J")], "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"),
    ])
    func s3BucketQueryExamples(query: [(String, String)], signature: String) {
        let signed = Self.s3Signer.sign(
            SigV4Signer.Request(method: "GET", path: "/", query: query, headers: [
                ("Host", "examplebucket.s3.amazonaws.com"),
                ("x-amz-content-sha256", Self.emptyHash), ("x-amz-date", "20130524T000000Z"),
            ], payloadHash: Self.emptyHash),
            at: Self.s3Date)
        #expect(signed.signature == signature)
    }

    /// The client's own header assembly (host, date, payload hash) signs the documented
    /// example the same way, so what goes on the wire is what the vectors check.
    @Test func theS3ClientSignsTheGetObjectExampleIdentically() async throws {
        let endpoint = try S3Endpoint(parsing: "https://s3.amazonaws.com", addressing: .virtualHosted)
        var client = S3Client(
            configuration: S3Configuration(endpoint: endpoint, region: "us-east-1"),
            credentials: StaticCredentialsProvider(Self.s3Credentials),
            transport: UnusedTransport())
        client.now = { 1_369_353_600 }
        let request = try await client.signed(S3Request(method: "GET", bucket: "examplebucket", key: "test.txt",
                                                        headers: [("Range", "bytes=0-9")]))
        #expect(request.url == "https://examplebucket.s3.amazonaws.com/test.txt")
        let authorization = request.headers.first { $0.0 == "Authorization" }?.1
        #expect(authorization?.hasSuffix("Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41") == true)
    }

    @Test func unsignedPayloadModeSignsTheLiteralInsteadOfAHash() async throws {
        var configuration = S3Configuration(endpoint: try S3Endpoint(parsing: "http://127.0.0.1:9000", addressing: .path))
        configuration.payloadSigning = .unsigned
        let client = S3Client(configuration: configuration, credentials: StaticCredentialsProvider(Self.s3Credentials),
                              transport: UnusedTransport())
        let request = try await client.signed(S3Request(method: "PUT", bucket: "b", key: "k", body: [1, 2, 3]))
        #expect(request.headers.contains { $0.0 == "x-amz-content-sha256" && $0.1 == "UNSIGNED-PAYLOAD" })
        #expect(request.url == "http://127.0.0.1:9000/b/k")
    }

    @Test func encodesKeysOnceKeepingSlashes() {
        #expect(SigV4Signer.uriEncode("dir with space/ü+=&.json", encodeSlash: false) == "dir%20with%20space/%C3%BC%2B%3D%26.json")
        #expect(SigV4Signer.uriEncode("a/b", encodeSlash: true) == "a%2Fb")
        #expect(SigV4Signer.uriEncode("-_.~AZaz09", encodeSlash: true) == "-_.~AZaz09")
    }

    @Test(arguments: [
        (Int64(0), "19700101T000000Z"),
        (1_440_938_160, "20150830T123600Z"),
        (1_369_353_600, "20130524T000000Z"),
        (951_782_400, "20000229T000000Z"),
        (4_107_542_399, "21000228T235959Z"),
    ])
    func formatsDatesInUTC(seconds: Int64, timestamp: String) {
        #expect(AmzDate(secondsSince1970: seconds).timestamp == timestamp)
    }
}

/// A transport for tests that only sign: sending is a bug.
struct UnusedTransport: HTTPTransport {
    func send(_ request: HTTPExchangeRequest, timeout: Duration) async throws -> HTTPExchangeResponse {
        Issue.record("unexpected request \(request.method) \(request.url)")
        throw CancellationError()
    }
}
