import AsyncHTTPClient
import Logging

/// A store in an S3 bucket under a key prefix (`s3://BUCKET/PREFIX`), on any S3-compatible
/// server. Requests are signed with SigV4 and retried with backoff; objects above the
/// multipart threshold are uploaded in parts.
public struct S3Store: ObjectStore {
    public let url: StoreURL
    public let bucket: String
    /// The URL's prefix; empty for the bucket root.
    public let prefix: String
    let client: S3Client
    /// Set when this store created the HTTP client and so must shut it down.
    let ownedHTTPClient: HTTPClient?

    /// A store for `url` configured from the standard `AWS_*` variables (see docs/store.md).
    /// Fails at once when the credential variables are incomplete or invalid, rather than on the
    /// first request; only the last resort, instance metadata, is first asked on a request.
    public init(url: StoreURL, environment: [String: String], logger: Logger = Logger(label: "capstan.store")) throws {
        guard case .s3(let bucket, _) = url.location else {
            throw StoreError(.invalidArgument, "store URL \(url): S3Store needs an s3:// URL")
        }
        let configuration = try S3Configuration.fromEnvironment(environment, bucket: bucket)
        let source = try CredentialsSource.from(environment: environment)
        let httpClient = S3Store.makeHTTPClient()
        let transport = AsyncHTTPClientTransport(client: httpClient)
        let credentials = source.provider(environment: environment, region: configuration.region,
                                          transport: transport, retry: configuration.retry, logger: logger)
        try self.init(url: url, client: S3Client(configuration: configuration, credentials: credentials,
                                                 transport: transport, logger: logger),
                      ownedHTTPClient: httpClient)
    }

    /// A store with explicit configuration and credentials. When `httpClient` is nil the store
    /// creates its own and `shutdown()` closes it; a client passed in stays the caller's.
    public init(url: StoreURL, configuration: S3Configuration, credentials: any AWSCredentialsProvider,
                httpClient: HTTPClient? = nil, logger: Logger = Logger(label: "capstan.store")) throws {
        let client = httpClient ?? S3Store.makeHTTPClient()
        try self.init(url: url,
                      client: S3Client(configuration: configuration, credentials: credentials,
                                       transport: AsyncHTTPClientTransport(client: client), logger: logger),
                      ownedHTTPClient: httpClient == nil ? client : nil)
    }

    init(url: StoreURL, client: S3Client, ownedHTTPClient: HTTPClient?) throws {
        guard case .s3(let bucket, let prefix) = url.location else {
            try? ownedHTTPClient?.syncShutdown()
            throw StoreError(.invalidArgument, "store URL \(url): S3Store needs an s3:// URL")
        }
        self.url = url
        self.bucket = bucket
        self.prefix = prefix
        self.client = client
        self.ownedHTTPClient = ownedHTTPClient
    }

    static func makeHTTPClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        // A redirect from S3 means a wrong region; following it would re-sign for the wrong
        // host. The error says so instead.
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        configuration.decompression = .disabled
        // The controller runs dozens of store calls at once (map items); AsyncHTTPClient's
        // default of 8 connections per host would queue them.
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public var configuration: S3Configuration { client.configuration }

    /// The full object key of a store key.
    func objectKey(_ key: String) throws -> String {
        try StoreKeyRules.validate(key, in: url)
        return prefix.isEmpty ? key : prefix + "/" + key
    }

    public func get(_ key: String) async throws -> [UInt8] {
        let objectKey = try objectKey(key)
        do {
            return try await client.send(S3Request(method: "GET", bucket: bucket, key: objectKey)).body
        } catch var error as StoreError where error.code == .noSuchKey {
            error.message = "no object \(url.uri(for: key)): " + error.message
            throw error
        }
    }

    public func put(_ key: String, _ bytes: [UInt8]) async throws {
        let objectKey = try objectKey(key)
        let contentType = key.hasSuffix(".json") ? "application/json" : "application/octet-stream"
        if bytes.count > client.configuration.multipartThreshold {
            try await putMultipart(objectKey, bytes, contentType: contentType)
            return
        }
        _ = try await client.send(S3Request(method: "PUT", bucket: bucket, key: objectKey,
                                            headers: [("Content-Type", contentType)], body: bytes))
    }

    public func head(_ key: String) async throws -> ObjectInfo? {
        let objectKey = try objectKey(key)
        let response: HTTPExchangeResponse
        do {
            response = try await client.send(S3Request(method: "HEAD", bucket: bucket, key: objectKey))
        } catch let error as StoreError where error.code == .noSuchKey {
            return nil
        }
        guard let length = response.header("Content-Length").flatMap({ Int($0) }) else {
            throw StoreError(.other, "HEAD \(url.uri(for: key)): the response has no Content-Length")
        }
        let etag = (response.header("ETag") ?? "").filter { $0 != "\"" }
        return ObjectInfo(size: length, etag: etag)
    }

    public func delete(_ key: String) async throws {
        let objectKey = try objectKey(key)
        do {
            _ = try await client.send(S3Request(method: "DELETE", bucket: bucket, key: objectKey))
        } catch let error as StoreError where error.code == .noSuchKey {
            // Some S3-compatible servers answer 404 where S3 answers 204.
        }
    }

    public func list(prefix listPrefix: String, delimiter: String?) async throws -> ObjectListing {
        let storePrefix = prefix.isEmpty ? "" : prefix + "/"
        var objects: [ObjectSummary] = []
        var commonPrefixes: [String] = []
        var continuation: String? = nil
        repeat {
            var query: [(String, String)] = [
                ("list-type", "2"),
                ("prefix", storePrefix + listPrefix),
                ("max-keys", String(client.configuration.listPageSize)),
            ]
            if let delimiter, !delimiter.isEmpty { query.append(("delimiter", delimiter)) }
            if let continuation { query.append(("continuation-token", continuation)) }
            let response = try await client.send(S3Request(method: "GET", bucket: bucket, key: nil, query: query))
            let page = try ListObjectsPage(parsing: response.body, request: "\(url.uri(for: listPrefix))")
            objects += page.objects.map { ObjectSummary(key: String($0.key.dropFirst(storePrefix.count)), size: $0.size) }
            commonPrefixes += page.commonPrefixes.map { String($0.dropFirst(storePrefix.count)) }
            continuation = page.isTruncated ? page.nextContinuationToken : nil
            if page.isTruncated && continuation == nil {
                throw StoreError(.other, "listing \(url.uri(for: listPrefix)): the server said the listing is truncated but sent no continuation token")
            }
        } while continuation != nil
        return ObjectListing(objects: objects.sorted { ListingRollup.byteOrder($0.key, $1.key) },
                             commonPrefixes: commonPrefixes.sorted(by: ListingRollup.byteOrder))
    }

    /// Creates the bucket; succeeds when this account already owns it.
    public func createBucket() async throws {
        let region = client.configuration.region
        let body = region == "us-east-1" ? nil : Array(
            "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>\(xmlEscape(region))</LocationConstraint></CreateBucketConfiguration>".utf8)
        do {
            _ = try await client.send(S3Request(method: "PUT", bucket: bucket, key: nil, body: body))
        } catch let error as StoreError where error.serverCode == "BucketAlreadyOwnedByYou" {
        }
    }

    public func shutdown() async throws {
        try await ownedHTTPClient?.shutdown()
    }
}

/// One page of a ListObjectsV2 response.
struct ListObjectsPage {
    var objects: [ObjectSummary] = []
    var commonPrefixes: [String] = []
    var isTruncated = false
    var nextContinuationToken: String?

    init(parsing body: [UInt8], request: String) throws {
        let root: XMLTree
        do {
            root = try XMLTree.parse(body)
        } catch {
            throw StoreError(.other, "listing \(request): unreadable ListObjectsV2 response: \(error)")
        }
        guard root.name == "ListBucketResult" else {
            throw StoreError(.other, "listing \(request): expected ListBucketResult, got <\(root.name)>")
        }
        for entry in root.children("Contents") {
            guard let key = entry.value("Key") else { continue }
            objects.append(ObjectSummary(key: key, size: entry.value("Size").flatMap { Int($0) } ?? 0))
        }
        commonPrefixes = root.children("CommonPrefixes").compactMap { $0.value("Prefix") }
        isTruncated = root.value("IsTruncated") == "true"
        nextContinuationToken = root.value("NextContinuationToken").flatMap { $0.isEmpty ? nil : $0 }
    }
}
