import CapstanStore
import Testing

@Suite struct StoreURLTests {
    @Test(arguments: [
        ("s3://bucket", StoreURL.Location.s3(bucket: "bucket", prefix: ""), "s3://bucket"),
        ("s3://bucket/", .s3(bucket: "bucket", prefix: ""), "s3://bucket"),
        ("s3://my.bucket-1/a/b/", .s3(bucket: "my.bucket-1", prefix: "a/b"), "s3://my.bucket-1/a/b"),
        ("s3://bkt//a//b", .s3(bucket: "bkt", prefix: "a/b"), "s3://bkt/a/b"),
        ("file:///var/lib/capstan", .file(path: "/var/lib/capstan"), "file:///var/lib/capstan"),
        ("file:///var/lib/capstan/", .file(path: "/var/lib/capstan"), "file:///var/lib/capstan"),
        ("file:///", .file(path: "/"), "file:///"),
    ])
    func parsesAndPrintsBack(text: String, location: StoreURL.Location, printed: String) throws {
        let url = try StoreURL(parsing: text)
        #expect(url.location == location)
        #expect(url.description == printed)
    }

    @Test(arguments: [
        ("http://bucket/x", "expected s3://BUCKET/PREFIX or file:///PATH"),
        ("s3://", "bucket name \"\""),
        ("s3://Upper/x", "bucket name \"Upper\""),
        ("s3://a_b/x", "bucket name \"a_b\""),
        ("s3://ab", "3-63 characters"),
        ("s3://-bucket", "starting and ending"),
        ("file://relative/path", "absolute path"),
    ])
    func rejectsWithAReason(text: String, reason: String) {
        let error = #expect(throws: StoreError.self) { try StoreURL(parsing: text) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains(reason) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains(text) == true)
    }

    @Test func aRelativeFolderIsTakenFromTheWorkingDirectory() {
        let url = StoreURL.file(path: ".capstan/")
        guard case .file(let path) = url.location else {
            Issue.record("expected a file location, got \(url)")
            return
        }
        #expect(path.hasPrefix("/"))
        #expect(path.hasSuffix("/.capstan"))
        #expect(StoreURL.file(path: "/a//b/").description == "file:///a/b")
    }

    @Test func rendersTheURIPodsReceive() throws {
        let url = try StoreURL(parsing: "s3://bucket/prefix")
        #expect(url.uri(for: "ns/wf/uid/node/outputs.json") == "s3://bucket/prefix/ns/wf/uid/node/outputs.json")
        #expect(url.uri(for: "ns/wf/uid/node/checkpoint/2/") == "s3://bucket/prefix/ns/wf/uid/node/checkpoint/2/")
        #expect(try StoreURL(parsing: "s3://bucket").uri(for: "k") == "s3://bucket/k")
        #expect(try StoreURL(parsing: "file:///data").uri(for: "ns/k.json") == "file:///data/ns/k.json")
        #expect(try StoreURL(parsing: "file:///").uri(for: "k") == "file:///k")
    }

    @Test func mapsAURIBackToItsKeyOnlyInsideTheStore() throws {
        let url = try StoreURL(parsing: "s3://bucket/prefix")
        #expect(url.key(forURI: "s3://bucket/prefix/ns/wf/outputs.json") == "ns/wf/outputs.json")
        #expect(url.key(forURI: "s3://bucket/prefixed/ns") == nil)
        #expect(url.key(forURI: "s3://other/prefix/ns") == nil)
        #expect(url.key(forURI: "s3://bucket/prefix") == nil)
    }
}
