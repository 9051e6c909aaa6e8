import CapstanSupport
import Logging

/// The EC2 instance role, from instance metadata with IMDSv2 sessions: a token from
/// `PUT /latest/api/token`, then the role name from `GET /latest/meta-data/iam/security-credentials/`
/// and its credentials from `GET .../security-credentials/ROLE`, both with the token.
/// IMDSv1 (no token) is never used: a token request that fails is reported, not worked around.
///
/// Credentials are cached and refreshed `refreshMargin` before they expire (`CredentialsCache`).
public struct InstanceMetadataCredentialsProvider: AWSCredentialsProvider {
    /// Scheme and host, no trailing slash: `http://169.254.169.254`.
    let endpoint: String
    /// Goes in front of every error: what was tried before falling back to instance metadata.
    let context: String
    let caller: CredentialsEndpointCaller
    let cache: CredentialsCache
    let session = SessionToken()
    let now: @Sendable () -> Int64

    /// The longest session IMDS grants. A token is reused until a minute before it lapses.
    static let tokenLifetime: Int64 = 21_600
    static let defaultEndpoint = "http://169.254.169.254"
    static let ipv6Endpoint = "http://[fd00:ec2::254]"

    /// IMDS answers within milliseconds on EC2; off EC2 its address is usually black-holed, so
    /// a short deadline and one retry keep a machine without it from waiting long.
    init(endpoint: String = defaultEndpoint, context: String? = nil, transport: any HTTPTransport,
         retry: StoreRetryPolicy = StoreRetryPolicy(maxAttempts: 2), timeout: Duration = .seconds(1),
         refreshMargin: Int64 = 300,
         now: @escaping @Sendable () -> Int64 = { UTCTime.now().secondsSince1970 },
         sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
         logger: Logger = Logger(label: "capstan.store")) {
        self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        self.context = context ?? "EC2 instance metadata (IMDSv2) at \(self.endpoint)"
        self.now = now
        caller = CredentialsEndpointCaller(transport: transport, retry: retry, timeout: timeout, sleep: sleep, logger: logger)
        cache = CredentialsCache(source: "EC2 instance role credentials", refreshMargin: refreshMargin, now: now, logger: logger)
    }

    public func credentials() async throws -> AWSCredentials {
        try await cache.credentials { try await fetch() }
    }

    public func invalidate() async {
        await cache.invalidate()
    }

    /// The endpoint the variables name: `AWS_EC2_METADATA_SERVICE_ENDPOINT`, else the IPv4 or
    /// IPv6 address `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE` picks. nil when
    /// `AWS_EC2_METADATA_DISABLED=true` turns instance metadata off.
    static func endpoint(environment: [String: String]) throws -> String? {
        func value(_ name: String) -> String? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            return text
        }
        if value("AWS_EC2_METADATA_DISABLED")?.lowercased() == "true" { return nil }
        if let custom = value("AWS_EC2_METADATA_SERVICE_ENDPOINT") {
            guard (try? S3Endpoint(parsing: custom, addressing: .path)) != nil else {
                throw StoreError(.credentials, "AWS_EC2_METADATA_SERVICE_ENDPOINT=\(custom): expected http://HOST[:PORT]")
            }
            return custom
        }
        switch value("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE")?.lowercased() {
        case nil, "ipv4": return defaultEndpoint
        case "ipv6": return ipv6Endpoint
        case let other?: throw StoreError(.credentials, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=\(other): expected IPv4 or IPv6")
        }
    }

    private func fetch() async throws -> AWSCredentials {
        do {
            return try await fetch(newSessionOnRejection: true)
        } catch let error as StoreError {
            throw StoreError(.credentials, "\(context): \(error.message)", serverCode: error.serverCode, httpStatus: error.httpStatus)
        }
    }

    private func fetch(newSessionOnRejection: Bool) async throws -> AWSCredentials {
        let token = try await sessionToken()
        let rolesPath = "/latest/meta-data/iam/security-credentials/"
        let roles = try await get(rolesPath, token: token)
        // 401: the session token lapsed early (the instance restarted, the clock jumped).
        if roles.status == 401, newSessionOnRejection {
            await session.clear()
            return try await fetch(newSessionOnRejection: false)
        }
        if roles.status == 404 {
            throw StoreError(.credentials, "no IAM role is attached to this instance (GET \(rolesPath): HTTP 404); attach an instance profile", httpStatus: 404)
        }
        guard roles.status == 200 else {
            throw StoreError(.credentials, "GET \(rolesPath): HTTP \(roles.status)", httpStatus: roles.status)
        }
        let names = String(decoding: roles.body, as: UTF8.self).split(whereSeparator: \.isNewline)
        guard let role = names.lazy.map(\.trimmingWhitespace).first(where: { !$0.isEmpty }) else {
            throw StoreError(.credentials, "no IAM role is attached to this instance (GET \(rolesPath) listed none); attach an instance profile")
        }
        let answer = try await get(rolesPath + role, token: token)
        if answer.status == 401, newSessionOnRejection {
            await session.clear()
            return try await fetch(newSessionOnRejection: false)
        }
        guard answer.status == 200 else {
            throw StoreError(.credentials, "GET \(rolesPath)\(role): HTTP \(answer.status)", httpStatus: answer.status)
        }
        return try CredentialsDocument.credentials(from: answer.body, what: "credentials of role \(role)")
    }

    private func get(_ path: String, token: String) async throws -> HTTPExchangeResponse {
        try await caller.send(HTTPExchangeRequest(method: "GET", url: endpoint + path,
                                                  headers: [("X-aws-ec2-metadata-token", token)], body: nil),
                              what: "GET \(path)")
    }

    private func sessionToken() async throws -> String {
        if let token = await session.current(now: now()) { return token }
        let request = HTTPExchangeRequest(
            method: "PUT", url: endpoint + "/latest/api/token",
            headers: [("X-aws-ec2-metadata-token-ttl-seconds", String(Self.tokenLifetime))], body: nil)
        let response: HTTPExchangeResponse
        do {
            response = try await caller.send(request, what: "the IMDSv2 session token")
        } catch let error as StoreError {
            throw StoreError(.credentials, error.message
                + "; either this is not an EC2 instance (\(Self.skipHint)) or the instance lets IMDSv2 answers cross only one network hop, too few for a pod (raise http-put-response-hop-limit to 2)")
        }
        switch response.status {
        case 200:
            let token = String(decoding: response.body, as: UTF8.self).trimmingWhitespace
            await session.keep(token, until: now() + Self.tokenLifetime - 60)
            return token
        case 403:
            throw StoreError(.credentials, "PUT /latest/api/token: HTTP 403: on EC2 this means instance metadata is turned off for the instance; elsewhere, \(Self.skipHint)", httpStatus: 403)
        default:
            throw StoreError(.credentials, "PUT /latest/api/token: HTTP \(response.status): not an EC2 instance metadata service? \(Self.skipHint)", httpStatus: response.status)
        }
    }

    private static let skipHint = "set AWS_EC2_METADATA_DISABLED=true to skip instance metadata"

    /// The IMDSv2 session token while it lasts.
    actor SessionToken {
        private var token: String?
        private var until = Int64.min

        func current(now: Int64) -> String? { now < until ? token : nil }

        func keep(_ token: String, until: Int64) {
            self.token = token
            self.until = until
        }

        func clear() {
            token = nil
            until = .min
        }
    }
}
