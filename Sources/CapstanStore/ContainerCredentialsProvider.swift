import CapstanSupport
import Logging

/// Credentials from a container credentials endpoint: the EKS Pod Identity agent
/// (`AWS_CONTAINER_CREDENTIALS_FULL_URI` with `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`) or the
/// ECS agent (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`).
///
/// Credentials are cached and refreshed `refreshMargin` before they expire (`CredentialsCache`).
/// The token file is read on every fetch because EKS rotates it.
public struct ContainerCredentialsProvider: AWSCredentialsProvider {
    let endpoint: ContainerCredentialsEndpoint
    let caller: CredentialsEndpointCaller
    let cache: CredentialsCache

    /// The agents answer from the node itself: a couple of seconds without an answer means down,
    /// not busy (the AWS SDKs allow 2 s and 3 attempts too).
    init(endpoint: ContainerCredentialsEndpoint, transport: any HTTPTransport,
         retry: StoreRetryPolicy = StoreRetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(500)),
         timeout: Duration = .seconds(2), refreshMargin: Int64 = 300,
         now: @escaping @Sendable () -> Int64 = { UTCTime.now().secondsSince1970 },
         sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
         logger: Logger = Logger(label: "capstan.store")) {
        self.endpoint = endpoint
        caller = CredentialsEndpointCaller(transport: transport, retry: retry, timeout: timeout, sleep: sleep, logger: logger)
        cache = CredentialsCache(source: "container credentials from \(endpoint)", refreshMargin: refreshMargin,
                                 now: now, logger: logger)
    }

    public func credentials() async throws -> AWSCredentials {
        try await cache.credentials { try await fetch() }
    }

    public func invalidate() async {
        await cache.invalidate()
    }

    private func fetch() async throws -> AWSCredentials {
        let what = "container credentials from \(endpoint)"
        var headers = [("Accept", "application/json")]
        if let token = try endpoint.authorizationToken() {
            headers.append(("Authorization", token))
        }
        let response = try await caller.send(HTTPExchangeRequest(method: "GET", url: endpoint.url, headers: headers, body: nil),
                                             what: what)
        guard response.status == 200 else {
            let problem = (try? CredentialsDocument.decode(response.body))?.problem ?? "no message"
            throw StoreError(.credentials, "\(what): HTTP \(response.status): \(problem)", httpStatus: response.status)
        }
        return try CredentialsDocument.credentials(from: response.body, what: what)
    }
}

/// Where container credentials come from and how the request is authorized, as the
/// `AWS_CONTAINER_*` variables say.
struct ContainerCredentialsEndpoint: Sendable, Hashable, CustomStringConvertible {
    enum Authorization: Sendable, Hashable {
        case none
        /// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`: read for every fetch.
        case file(String)
        /// `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
        case value(String)
    }

    var url: String
    /// The variable that named the URL, for messages.
    var variable: String
    var authorization: Authorization

    var description: String { "\(variable)=\(url)" }

    /// The address the ECS agent serves task credentials on.
    static let ecsAgent = "http://169.254.170.2"
    /// Plain http may go only to these link-local agents (ECS, EKS Pod Identity over IPv4 and
    /// IPv6) or to loopback: anything else could be a look-alike that captures the token.
    static let allowedHTTPHosts = ["169.254.170.2", "169.254.170.23", "fd00:ec2::23"]

    /// nil when neither URI variable is set. The relative URI wins over the full one, as in
    /// botocore and the Rust and Java SDKs; the token file wins over the token value.
    static func from(environment: [String: String]) throws -> ContainerCredentialsEndpoint? {
        func value(_ name: String) -> String? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            return text
        }
        let authorization: Authorization
        if let file = value("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") {
            authorization = .file(file)
        } else if let token = value("AWS_CONTAINER_AUTHORIZATION_TOKEN") {
            authorization = .value(token)
        } else {
            authorization = .none
        }
        if let relative = value("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
            return ContainerCredentialsEndpoint(url: ecsAgent + (relative.hasPrefix("/") ? "" : "/") + relative,
                                                variable: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", authorization: authorization)
        }
        guard let full = value("AWS_CONTAINER_CREDENTIALS_FULL_URI") else { return nil }
        try checkAllowed(full, variable: "AWS_CONTAINER_CREDENTIALS_FULL_URI")
        return ContainerCredentialsEndpoint(url: full, variable: "AWS_CONTAINER_CREDENTIALS_FULL_URI", authorization: authorization)
    }

    /// The AWS SDKs' rule: https to any host; http only to loopback or the agents' addresses.
    /// Host names other than `localhost` are refused over http rather than resolved, as
    /// botocore does: what a name resolves to now is not what it resolves to at the next fetch.
    static func checkAllowed(_ url: String, variable: String) throws {
        let parsed: S3Endpoint
        do {
            parsed = try S3Endpoint(parsing: url, addressing: .path)
        } catch {
            throw StoreError(.credentials, "\(variable)=\(url): expected http://HOST[:PORT]/PATH or https://HOST[:PORT]/PATH")
        }
        if parsed.scheme == "https" { return }
        let host = parsed.host.lowercased().trimmingBrackets
        if host == "localhost" || allowedHTTPHosts.contains(host) { return }
        if let address = IPAddressBytes(host), address.isLoopback || allowedHTTPHosts.contains(where: { IPAddressBytes($0) == address }) {
            return
        }
        throw StoreError(.credentials,
            "\(variable)=\(url): refusing to send credentials requests over plain http to \(parsed.host); http is allowed only to a loopback address (127.0.0.0/8, ::1, localhost) or to \(allowedHTTPHosts.joined(separator: ", ")) (the ECS and EKS Pod Identity agents); use https for any other host")
    }

    /// The `Authorization` header value, the file read afresh; nil when none is configured.
    func authorizationToken() throws -> String? {
        let token: String
        switch authorization {
        case .none:
            return nil
        case .file(let path):
            token = try TokenFile.read(path, variable: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                                       what: "the container authorization token")
        case .value(let value):
            token = value
        }
        // A line break would end the header early and let the rest be read as another header.
        guard !token.contains(where: { $0 == "\r" || $0 == "\n" }) else {
            throw StoreError(.credentials, "the container authorization token contains a line break; it must be one line")
        }
        return token
    }
}

private extension String {
    var trimmingBrackets: String {
        hasPrefix("[") && hasSuffix("]") ? String(dropFirst().dropLast()) : self
    }
}
