@testable import CapstanStore
import Testing
import TestSupport

/// What the S3 store sends for each operation, checked against a scripted server.
@Suite struct S3StoreRequestTests {
    @Test func listingFollowsContinuationTokensAndStripsTheStorePrefix() async throws {
        let (store, transport, _) = try scriptedStore(configure: { $0.listPageSize = 2 }) { request, index in
            if index == 0 {
                return .ok("""
                    <?xml version="1.0" encoding="UTF-8"?>
                    <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
                      <Name>bucket</Name><Prefix>pre/ns/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
                      <IsTruncated>true</IsTruncated><NextContinuationToken>tok/en+1=</NextContinuationToken>
                      <Contents><Key>pre/ns/a.json</Key><Size>3</Size><ETag>"e1"</ETag></Contents>
                      <CommonPrefixes><Prefix>pre/ns/dir/</Prefix></CommonPrefixes>
                    </ListBucketResult>
                    """)
            }
            return .ok("""
                <ListBucketResult><IsTruncated>false</IsTruncated>
                  <Contents><Key>pre/ns/b &amp; c.json</Key><Size>10</Size></Contents>
                </ListBucketResult>
                """)
        }
        let listing = try await store.list(prefix: "ns/", delimiter: "/")
        #expect(listing.objects == [ObjectSummary(key: "ns/a.json", size: 3), ObjectSummary(key: "ns/b & c.json", size: 10)])
        #expect(listing.commonPrefixes == ["ns/dir/"])

        let requests = await transport.requests
        #expect(requests.count == 2)
        #expect(requests[0].url == "http://127.0.0.1:1/bucket?delimiter=%2F&list-type=2&max-keys=2&prefix=pre%2Fns%2F")
        #expect(requests[1].queryString.contains("continuation-token=tok%2Fen%2B1%3D"))
    }

    @Test func largeObjectsGoUpInPartsAndCompleteInOrder() async throws {
        let partSize = 5 * 1024 * 1024
        let body = try await Blocking.compute { (0..<(2 * partSize + 17)).map { UInt8(truncatingIfNeeded: $0 / 1000) } }
        let (store, transport, _) = try scriptedStore(configure: {
            $0.multipartThreshold = partSize
            $0.partSize = partSize
            $0.multipartConcurrency = 2
        }) { request, _ in
            if request.method == "POST" && request.queryString == "uploads=" {
                return .ok("<InitiateMultipartUploadResult><Bucket>bucket</Bucket><Key>pre/big.bin</Key><UploadId>UP-1</UploadId></InitiateMultipartUploadResult>")
            }
            if request.method == "PUT" {
                let part = request.queryString.split(separator: "&").first { $0.hasPrefix("partNumber=") }!.dropFirst(11)
                return .ok(headers: [("ETag", "\"etag-\(part)\"")])
            }
            return .ok("<CompleteMultipartUploadResult><ETag>\"x-3\"</ETag></CompleteMultipartUploadResult>")
        }
        try await store.put("big.bin", body)

        let requests = await transport.requests
        let parts = requests.filter { $0.method == "PUT" }
        #expect(parts.count == 3)
        #expect(parts.map { $0.body?.count ?? 0 }.sorted() == [17, partSize, partSize])
        #expect(parts.allSatisfy { $0.queryString.contains("uploadId=UP-1") })
        let completion = try #require(requests.last)
        #expect(completion.method == "POST" && completion.queryString == "uploadId=UP-1")
        let xml = String(decoding: completion.body ?? [], as: UTF8.self)
        #expect(xml.contains("<Part><PartNumber>1</PartNumber><ETag>&quot;etag-1&quot;</ETag></Part><Part><PartNumber>2</PartNumber><ETag>&quot;etag-2&quot;</ETag></Part><Part><PartNumber>3</PartNumber>"))
        // The parts reassemble into the original bytes.
        let reassembledIsTheBody = try await Blocking.compute {
            parts.sorted { $0.queryString < $1.queryString }.flatMap { $0.body ?? [] } == body
        }
        #expect(reassembledIsTheBody)
    }

    @Test func aFailedPartAbortsTheUpload() async throws {
        let partSize = 5 * 1024 * 1024
        let (store, transport, _) = try scriptedStore(configure: {
            $0.multipartThreshold = partSize
            $0.partSize = partSize
        }) { request, _ in
            if request.queryString == "uploads=" {
                return .ok("<InitiateMultipartUploadResult><UploadId>UP-2</UploadId></InitiateMultipartUploadResult>")
            }
            if request.method == "PUT" { return .s3Error(403, "AccessDenied") }
            return HTTPExchangeResponse(status: 204, headers: [], body: [])
        }
        let error = try await #require(throws: StoreError.self) {
            try await store.put("big.bin", [UInt8](repeating: 1, count: partSize + 1))
        }
        #expect(error.code == .accessDenied)
        let last = try #require(await transport.requests.last)
        #expect(last.method == "DELETE" && last.queryString == "uploadId=UP-2")
    }

    @Test func aCompletionThatFailsInsideA200IsRetried() async throws {
        let partSize = 5 * 1024 * 1024
        let (store, transport, _) = try scriptedStore(configure: {
            $0.multipartThreshold = partSize
            $0.partSize = partSize
        }) { request, index in
            if request.queryString == "uploads=" {
                return .ok("<InitiateMultipartUploadResult><UploadId>UP-3</UploadId></InitiateMultipartUploadResult>")
            }
            if request.method == "PUT" { return .ok(headers: [("ETag", "\"p\"")]) }
            // The first completion attempt fails after the 200 status went out.
            return index == 3 ? .ok("<Error><Code>InternalError</Code><Message>try again</Message></Error>")
                              : .ok("<CompleteMultipartUploadResult/>")
        }
        try await store.put("big.bin", [UInt8](repeating: 2, count: partSize + 1))
        let completions = await transport.requests.filter { $0.method == "POST" && $0.queryString == "uploadId=UP-3" }
        #expect(completions.count == 2)
    }

    @Test func smallObjectsAreOnePutWithAContentType() async throws {
        let (store, transport, _) = try scriptedStore { _, _ in .ok() }
        try await store.put("ns/outputs.json", Array("{}".utf8))
        let request = try #require(await transport.requests.first)
        #expect(request.method == "PUT")
        #expect(request.url == "http://127.0.0.1:1/bucket/pre/ns/outputs.json")
        #expect(request.header("Content-Type") == "application/json")
        #expect(request.header("x-amz-content-sha256") == SigV4Signer.hexSHA256(Array("{}".utf8)))
    }

    @Test func virtualHostedAddressingPutsTheBucketInTheHost() async throws {
        let (store, transport, _) = try scriptedStore(configure: {
            $0.endpoint = try! S3Endpoint(parsing: "https://s3.eu-west-1.amazonaws.com", addressing: .virtualHosted)
        }) { _, _ in .ok() }
        _ = try await store.get("dir/k ey.json")
        let request = try #require(await transport.requests.first)
        #expect(request.url == "https://bucket.s3.eu-west-1.amazonaws.com/pre/dir/k%20ey.json")
        #expect(request.header("host") == "bucket.s3.eu-west-1.amazonaws.com")
    }

    @Test func deletingAMissingObjectSucceeds() async throws {
        let (store, _, _) = try scriptedStore { _, _ in .s3Error(404, "NoSuchKey") }
        try await store.delete("gone")
    }
}
