#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a store lives: `s3://BUCKET/PREFIX` or `file:///PATH` (SPEC §4).
///
/// Keys are relative to the prefix (or folder); `uri(for:)` renders the full URI of a key,
/// which is what pods receive in `CAPSTAN_OUTPUTS_URI` and friends.
public struct StoreURL: Sendable, Hashable, CustomStringConvertible {
    public enum Location: Sendable, Hashable {
        /// A bucket and a key prefix without leading or trailing `/` (empty for the bucket root).
        case s3(bucket: String, prefix: String)
        /// An absolute folder path without a trailing `/` (except for `/` itself).
        case file(path: String)
    }

    public let location: Location

    public init(_ location: Location) {
        self.location = location
    }

    /// Parses `s3://BUCKET[/PREFIX]` or `file:///ABSOLUTE/PATH`.
    public init(parsing text: String) throws {
        if text.hasPrefix("s3://") {
            let rest = text.dropFirst("s3://".count)
            let bucket = String(rest.prefix { $0 != "/" })
            try StoreURL.validateBucket(bucket, in: text)
            let prefix = rest.dropFirst(bucket.count).split(separator: "/", omittingEmptySubsequences: true)
                .joined(separator: "/")
            location = .s3(bucket: bucket, prefix: prefix)
        } else if text.hasPrefix("file://") {
            let path = String(text.dropFirst("file://".count))
            guard path.hasPrefix("/") else {
                throw StoreError(.invalidArgument,
                    "store URL \(text): a file store needs an absolute path, as in file:///var/lib/capstan")
            }
            location = .file(path: StoreURL.normalizedPath(path))
        } else {
            throw StoreError(.invalidArgument,
                "store URL \(text): expected s3://BUCKET/PREFIX or file:///PATH")
        }
    }

    /// A file store rooted at a folder; a relative path is taken from the working directory
    /// (`capstan dev --store .capstan`).
    public static func file(path: String) -> StoreURL {
        if path.hasPrefix("/") { return StoreURL(.file(path: normalizedPath(path))) }
        return StoreURL(.file(path: normalizedPath(workingDirectory() + "/" + path)))
    }

    private static func workingDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return "/" }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// An S3 store in `bucket` under `prefix` (slashes at either end are ignored).
    public static func s3(bucket: String, prefix: String = "") -> StoreURL {
        StoreURL(.s3(bucket: bucket, prefix: prefix.split(separator: "/").joined(separator: "/")))
    }

    public var description: String {
        switch location {
        case .s3(let bucket, let prefix):
            return prefix.isEmpty ? "s3://\(bucket)" : "s3://\(bucket)/\(prefix)"
        case .file(let path):
            return "file://\(path)"
        }
    }

    /// The full URI of `key`, e.g. `s3://bucket/prefix/ns/wf/uid/node/outputs.json`.
    public func uri(for key: String) -> String {
        let base = description
        if key.isEmpty { return base }
        return base.hasSuffix("/") ? base + key : base + "/" + key
    }

    /// The key a full URI names in this store, or nil when the URI lies outside it. The
    /// inverse of `uri(for:)`, for URIs that come back from pods.
    public func key(forURI uri: String) -> String? {
        let base = description
        let root = base.hasSuffix("/") ? base : base + "/"
        guard uri.hasPrefix(root), uri.count > root.count else { return nil }
        return String(uri.dropFirst(root.count))
    }

    static func normalizedPath(_ path: String) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        return "/" + parts.joined(separator: "/")
    }

    /// S3's bucket naming rules, checked up front so that a typo fails at startup with a
    /// reason rather than as a signature or DNS error on the first request.
    static func validateBucket(_ bucket: String, in text: String) throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.-")
        guard (3...63).contains(bucket.count), bucket.allSatisfy({ allowed.contains($0) }),
              let first = bucket.first, let last = bucket.last,
              first.isLetter || first.isNumber, last.isLetter || last.isNumber
        else {
            throw StoreError(.invalidArgument,
                "store URL \(text): bucket name \"\(bucket)\" must be 3-63 characters of lowercase letters, digits, '.' and '-', starting and ending with a letter or digit")
        }
    }
}
