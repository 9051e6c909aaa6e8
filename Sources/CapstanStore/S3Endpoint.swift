/// Where S3 requests go and how a bucket appears in them.
public struct S3Endpoint: Sendable, Hashable, CustomStringConvertible {
    public enum Addressing: String, Sendable, Hashable {
        /// `https://host/BUCKET/KEY`: what S3-compatible servers (SeaweedFS, MinIO) expect.
        case path
        /// `https://BUCKET.host/KEY`: AWS's preferred form.
        case virtualHosted = "virtual"
    }

    public var scheme: String
    public var host: String
    public var port: Int?
    /// A path in front of every request (rare; some gateways mount S3 below a path).
    public var basePath: String
    public var addressing: Addressing

    /// Parses `http://127.0.0.1:8333` or `https://s3.eu-west-1.amazonaws.com`.
    public init(parsing text: String, addressing: Addressing) throws {
        func reject(_ reason: String) -> StoreError {
            StoreError(.invalidArgument, "S3 endpoint \(text): \(reason)")
        }
        guard let schemeEnd = text.firstRange(of: "://") else { throw reject("expected http://HOST[:PORT] or https://HOST[:PORT]") }
        scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { throw reject("the scheme must be http or https") }
        let rest = text[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count).split(separator: "/").joined(separator: "/")
        basePath = path.isEmpty ? "" : "/" + path
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw reject("unterminated IPv6 address") }
            host = String(authority[...close])
            let after = authority[authority.index(after: close)...]
            port = after.hasPrefix(":") ? Int(after.dropFirst()) : nil
            if after.hasPrefix(":") && port == nil { throw reject("invalid port") }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            guard let value = Int(authority[authority.index(after: colon)...]), (1...65535).contains(value) else {
                throw reject("invalid port")
            }
            port = value
        } else {
            host = String(authority)
            port = nil
        }
        guard !host.isEmpty else { throw reject("missing host") }
        self.addressing = addressing
    }

    /// AWS's regional endpoint.
    public static func aws(region: String) -> S3Endpoint {
        // The literal always parses.
        try! S3Endpoint(parsing: "https://s3.\(region).amazonaws.com", addressing: .virtualHosted)
    }

    public var description: String {
        "\(scheme)://\(authority)\(basePath)"
    }

    /// host[:port] as it goes in the Host header; the port only when it is not the default.
    var authority: String {
        if let port, !(scheme == "http" && port == 80), !(scheme == "https" && port == 443) {
            return "\(host):\(port)"
        }
        return host
    }

    /// The Host header value and the raw (unencoded) path for a bucket and optional key.
    func target(bucket: String, key: String?) -> (host: String, path: String) {
        switch addressing {
        case .path:
            return (authority, basePath + "/" + bucket + (key.map { "/" + $0 } ?? ""))
        case .virtualHosted:
            return (bucket + "." + authority, basePath + "/" + (key ?? ""))
        }
    }

    /// The request URL; path and query are encoded exactly as they are signed.
    func url(host: String, path: String, query: [(String, String)]) -> String {
        let encodedQuery = SigV4Signer.canonicalQuery(query)
        return "\(scheme)://\(host)\(SigV4Signer.canonicalURI(path))" + (encodedQuery.isEmpty ? "" : "?" + encodedQuery)
    }
}
