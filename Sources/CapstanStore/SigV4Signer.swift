import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// AWS Signature Version 4 for the `Authorization` header. Pure: the same request, credentials
/// and time always give the same signature, which is what the AWS test vectors check.
///
/// S3 differs from other services in two ways handled by the caller: the canonical URI is
/// encoded once (never twice), and `x-amz-content-sha256` must be one of the signed headers.
public struct SigV4Signer: Sendable {
    public var credentials: AWSCredentials
    public var region: String
    public var service: String

    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// A request as it will be sent. `path` is the raw (not yet encoded) path; `query` the raw
    /// name/value pairs; `headers` every header to sign, including `host`.
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var query: [(String, String)]
        public var headers: [(String, String)]
        /// Hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`.
        public var payloadHash: String

        public init(method: String, path: String, query: [(String, String)] = [],
                    headers: [(String, String)], payloadHash: String) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.payloadHash = payloadHash
        }
    }

    /// Every intermediate product, so that tests can compare each against the published vectors.
    public struct Signature: Sendable {
        public var canonicalRequest: String
        public var stringToSign: String
        public var signature: String
        public var signedHeaders: String
        public var authorization: String
    }

    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    public static let emptyPayloadHash = hexSHA256([])

    public func sign(_ request: Request, at date: AmzDate) -> Signature {
        let canonicalHeaders = SigV4Signer.canonicalHeaders(request.headers)
        let signedHeaders = canonicalHeaders.map(\.name).joined(separator: ";")
        let canonicalRequest = [
            request.method,
            SigV4Signer.canonicalURI(request.path),
            SigV4Signer.canonicalQuery(request.query),
            canonicalHeaders.map { "\($0.name):\($0.value)\n" }.joined(),
            signedHeaders,
            request.payloadHash,
        ].joined(separator: "\n")
        let scope = "\(date.day)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256",
            date.timestamp,
            scope,
            SigV4Signer.hexSHA256(Array(canonicalRequest.utf8)),
        ].joined(separator: "\n")
        let key = signingKey(day: date.day)
        let signature = hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope), "
            + "SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return Signature(canonicalRequest: canonicalRequest, stringToSign: stringToSign,
                         signature: signature, signedHeaders: signedHeaders, authorization: authorization)
    }

    func signingKey(day: String) -> SymmetricKey {
        func hmac(_ key: SymmetricKey, _ text: String) -> SymmetricKey {
            SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: key)))
        }
        let secret = SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey)".utf8))
        return hmac(hmac(hmac(hmac(secret, day), region), service), "aws4_request")
    }

    /// Header names lower-cased and sorted; values trimmed with inner runs of spaces collapsed;
    /// repeated headers joined with commas in the order given.
    static func canonicalHeaders(_ headers: [(String, String)]) -> [(name: String, value: String)] {
        var merged: [String: [String]] = [:]
        for (name, value) in headers {
            merged[name.lowercased(), default: []].append(collapseSpaces(value))
        }
        return merged.keys.sorted().map { (name: $0, value: merged[$0]!.joined(separator: ",")) }
    }

    static func collapseSpaces(_ value: String) -> String {
        var result = ""
        var pendingSpace = false
        for character in value {
            if character == " " || character == "\t" || character == "\n" || character == "\r" {
                pendingSpace = !result.isEmpty
            } else {
                if pendingSpace { result.append(" ") }
                pendingSpace = false
                result.append(character)
            }
        }
        return result
    }

    static func canonicalURI(_ path: String) -> String {
        path.isEmpty ? "/" : uriEncode(path, encodeSlash: false)
    }

    static func canonicalQuery(_ query: [(String, String)]) -> String {
        let encoded: [(name: String, value: String)] = query.map { pair in
            (name: uriEncode(pair.0, encodeSlash: true), value: uriEncode(pair.1, encodeSlash: true))
        }
        let sorted = encoded.sorted { left, right in
            left.name == right.name ? left.value < right.value : left.name < right.name
        }
        return sorted.map { pair in pair.name + "=" + pair.value }.joined(separator: "&")
    }

    /// RFC 3986 encoding as SigV4 wants it: everything but `A-Z a-z 0-9 - . _ ~` becomes
    /// `%XX` of its UTF-8 bytes (upper-case hex); `/` too unless it separates path segments.
    public static func uriEncode(_ text: String, encodeSlash: Bool) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where !encodeSlash:
                result.append("/")
            default:
                result.append("%")
                result.append(hexDigits[Int(byte >> 4)])
                result.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return result
    }

    public static func hexSHA256(_ bytes: some Sequence<UInt8>) -> String {
        var hasher = SHA256()
        hasher.update(data: Array(bytes))
        return hex(hasher.finalize())
    }
}

private let hexDigits: [Character] = Array("0123456789ABCDEF")
private let lowerHexDigits: [Character] = Array("0123456789abcdef")

func hex(_ bytes: some Sequence<UInt8>) -> String {
    var result = ""
    for byte in bytes {
        result.append(lowerHexDigits[Int(byte >> 4)])
        result.append(lowerHexDigits[Int(byte & 0x0F)])
    }
    return result
}
