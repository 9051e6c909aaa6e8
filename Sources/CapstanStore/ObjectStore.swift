/// A flat key → bytes store: S3 or a local folder. Keys are relative to the store's URL prefix
/// and use `/` as the separator (`ns/wf/uid/node/outputs.json`).
///
/// Every implementation has S3's semantics: a put replaces the whole object atomically (a
/// reader sees the old bytes or the new, never a mix), a delete of a missing key succeeds,
/// and listing returns keys in byte order.
public protocol ObjectStore: Sendable {
    /// Where this store lives; `url.uri(for: key)` is the full URI handed to pods.
    var url: StoreURL { get }

    /// The object's bytes. Throws `StoreError` with code `.noSuchKey` when it does not exist.
    func get(_ key: String) async throws -> [UInt8]

    /// Creates or replaces the object.
    func put(_ key: String, _ bytes: [UInt8]) async throws

    /// Size and ETag of the object, or nil when it does not exist.
    func head(_ key: String) async throws -> ObjectInfo?

    /// Every object whose key starts with `prefix`. With a delimiter, keys that contain the
    /// delimiter after the prefix are rolled up into `commonPrefixes` (S3's "folders").
    /// Paging is handled inside: the listing is complete.
    func list(prefix: String, delimiter: String?) async throws -> ObjectListing

    /// Removes the object; succeeds when it does not exist.
    func delete(_ key: String) async throws

    /// Releases connections. The store must not be used afterwards.
    func shutdown() async throws
}

extension ObjectStore {
    /// The object's bytes, or nil when it does not exist (cache lookups, optional outputs).
    public func getIfPresent(_ key: String) async throws -> [UInt8]? {
        do {
            return try await get(key)
        } catch let error as StoreError where error.code == .noSuchKey {
            return nil
        }
    }

    /// Every object under `prefix`, without rolling up.
    public func list(prefix: String) async throws -> ObjectListing {
        try await list(prefix: prefix, delimiter: nil)
    }
}

/// What `head` reports about an object.
public struct ObjectInfo: Sendable, Hashable {
    public var size: Int
    /// An opaque version tag: S3's ETag (quotes removed), or for files a tag derived from size,
    /// modification time and inode (each put renames a new file in). It changes when the
    /// object is replaced with different content.
    public var etag: String

    public init(size: Int, etag: String) {
        self.size = size
        self.etag = etag
    }
}

/// One object in a listing.
public struct ObjectSummary: Sendable, Hashable {
    public var key: String
    public var size: Int

    public init(key: String, size: Int) {
        self.key = key
        self.size = size
    }
}

/// The result of `list`: objects in byte order of their keys, and with a delimiter the
/// rolled-up prefixes (each ending in the delimiter), also in byte order.
public struct ObjectListing: Sendable, Hashable {
    public var objects: [ObjectSummary]
    public var commonPrefixes: [String]

    public init(objects: [ObjectSummary] = [], commonPrefixes: [String] = []) {
        self.objects = objects
        self.commonPrefixes = commonPrefixes
    }

    public var keys: [String] { objects.map(\.key) }
}
