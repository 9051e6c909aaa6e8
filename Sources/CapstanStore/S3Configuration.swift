/// Everything about talking to S3 except the bucket: endpoint, region, signing, retries,
/// multipart and listing sizes. `fromEnvironment` reads the standard `AWS_*` variables.
public struct S3Configuration: Sendable {
    public enum PayloadSigning: String, Sendable, Hashable {
        /// Sign the SHA-256 of every body (`x-amz-content-sha256: <hex>`): the server rejects
        /// a body altered in transit. Costs one hash pass over each upload.
        case signed
        /// `x-amz-content-sha256: UNSIGNED-PAYLOAD`: relies on TLS for body integrity.
        case unsigned
    }

    public var endpoint: S3Endpoint
    public var region: String
    public var payloadSigning: PayloadSigning
    public var retry: StoreRetryPolicy
    /// Objects larger than this go up in parts.
    public var multipartThreshold: Int
    /// Size of each part but the last (S3 requires at least 5 MiB).
    public var partSize: Int
    /// Parts uploaded at once.
    public var multipartConcurrency: Int
    /// Keys requested per ListObjectsV2 page (S3 caps it at 1000).
    public var listPageSize: Int
    /// Deadline of one HTTP request, body included.
    public var requestTimeout: Duration

    public init(endpoint: S3Endpoint, region: String = "us-east-1", payloadSigning: PayloadSigning = .signed,
                retry: StoreRetryPolicy = StoreRetryPolicy(), multipartThreshold: Int = 8 * 1024 * 1024,
                partSize: Int = 8 * 1024 * 1024, multipartConcurrency: Int = 4, listPageSize: Int = 1000,
                requestTimeout: Duration = .seconds(120)) {
        self.endpoint = endpoint
        self.region = region
        self.payloadSigning = payloadSigning
        self.retry = retry
        self.multipartThreshold = multipartThreshold
        self.partSize = partSize
        self.multipartConcurrency = max(1, multipartConcurrency)
        self.listPageSize = min(max(1, listPageSize), 1000)
        self.requestTimeout = requestTimeout
    }

    /// Region from `AWS_REGION`, then `AWS_DEFAULT_REGION`, else `us-east-1`. Endpoint from
    /// `AWS_ENDPOINT_URL_S3`, then `AWS_ENDPOINT_URL`, else AWS's regional endpoint. A custom
    /// endpoint is addressed path-style (what S3-compatible servers expect), AWS
    /// virtual-hosted; `CAPSTAN_S3_ADDRESSING=path|virtual` overrides either.
    public static func fromEnvironment(_ environment: [String: String], bucket: String) throws -> S3Configuration {
        func value(_ name: String) -> String? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            return text
        }
        let region = value("AWS_REGION") ?? value("AWS_DEFAULT_REGION") ?? "us-east-1"
        var addressing: S3Endpoint.Addressing? = nil
        if let style = value("CAPSTAN_S3_ADDRESSING") {
            guard let parsed = S3Endpoint.Addressing(rawValue: style) else {
                throw StoreError(.invalidArgument, "CAPSTAN_S3_ADDRESSING=\(style): expected path or virtual")
            }
            addressing = parsed
        }
        var endpoint: S3Endpoint
        if let custom = value("AWS_ENDPOINT_URL_S3") ?? value("AWS_ENDPOINT_URL") {
            endpoint = try S3Endpoint(parsing: custom, addressing: addressing ?? .path)
        } else {
            endpoint = .aws(region: region)
            // A dotted bucket name breaks the wildcard TLS certificate of virtual-hosted AWS names.
            endpoint.addressing = addressing ?? (bucket.contains(".") ? .path : .virtualHosted)
        }
        return S3Configuration(endpoint: endpoint, region: region)
    }

    /// STS for IRSA: `AWS_ENDPOINT_URL_STS`, then `AWS_ENDPOINT_URL`, else the regional endpoint.
    static func stsEndpoint(_ environment: [String: String], region: String) -> String {
        for name in ["AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"] {
            if let text = environment[name], !text.isEmpty { return text }
        }
        return "https://sts.\(region).amazonaws.com/"
    }
}
