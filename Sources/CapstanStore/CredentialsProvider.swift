import Logging

/// Supplies credentials for each request. Temporary credentials (IRSA, EKS Pod Identity, the
/// EC2 instance role) are refreshed by the provider; the client asks again for every request and calls `invalidate` when the server
/// says the token expired.
public protocol AWSCredentialsProvider: Sendable {
    func credentials() async throws -> AWSCredentials
    /// Forget cached credentials, so that the next call fetches fresh ones.
    func invalidate() async
}

/// Fixed credentials (from `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`).
public struct StaticCredentialsProvider: AWSCredentialsProvider {
    public let value: AWSCredentials

    public init(_ value: AWSCredentials) {
        self.value = value
    }

    public func credentials() async throws -> AWSCredentials { value }
    public func invalidate() async {}
}

/// Which credentials the standard `AWS_*` variables describe, checked in the order the AWS
/// SDKs use: static keys, a web identity (IRSA), a container credentials endpoint (EKS Pod
/// Identity, ECS), and last the EC2 instance role from instance metadata.
///
/// The first three are picked by their variables, and one that is set but fails is reported
/// rather than skipped, as the SDKs do: falling through would hide the misconfiguration behind
/// a different role. Instance metadata has no variable, so it is the fallback unless
/// `AWS_EC2_METADATA_DISABLED=true`; then a store with none of these fails at open.
enum CredentialsSource: Equatable {
    case keys(AWSCredentials)
    case webIdentity(tokenFile: String, roleArn: String, sessionName: String)
    case container(ContainerCredentialsEndpoint)
    case instanceMetadata(endpoint: String)

    /// What was looked for before instance metadata, for the error when that fails too.
    static let variablesTried = "none of AWS_ACCESS_KEY_ID (static keys), AWS_WEB_IDENTITY_TOKEN_FILE (IRSA), AWS_CONTAINER_CREDENTIALS_FULL_URI (EKS Pod Identity) or AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (ECS) is set"

    static func from(environment: [String: String]) throws -> CredentialsSource {
        func value(_ name: String) -> String? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            return text
        }
        if let accessKey = value("AWS_ACCESS_KEY_ID") {
            guard let secret = value("AWS_SECRET_ACCESS_KEY") else {
                throw StoreError(.credentials, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; set both")
            }
            return .keys(AWSCredentials(accessKeyId: accessKey, secretAccessKey: secret,
                                        sessionToken: value("AWS_SESSION_TOKEN")))
        }
        if let tokenFile = value("AWS_WEB_IDENTITY_TOKEN_FILE") {
            guard let roleArn = value("AWS_ROLE_ARN") else {
                throw StoreError(.credentials, "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not; IRSA needs both (the EKS pod identity webhook sets them)")
            }
            return .webIdentity(tokenFile: tokenFile, roleArn: roleArn,
                                sessionName: value("AWS_ROLE_SESSION_NAME") ?? "capstan")
        }
        if let endpoint = try ContainerCredentialsEndpoint.from(environment: environment) {
            return .container(endpoint)
        }
        if let endpoint = try InstanceMetadataCredentialsProvider.endpoint(environment: environment) {
            return .instanceMetadata(endpoint: endpoint)
        }
        throw StoreError(.credentials,
            "no S3 credentials: \(variablesTried), and AWS_EC2_METADATA_DISABLED=true turns off the EC2 instance role; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN (IRSA), or use EKS Pod Identity")
    }

    /// The provider that serves these credentials, calling STS or a metadata endpoint through
    /// `transport`.
    func provider(environment: [String: String], region: String, transport: any HTTPTransport,
                  retry: StoreRetryPolicy, logger: Logger) -> any AWSCredentialsProvider {
        switch self {
        case .keys(let keys):
            StaticCredentialsProvider(keys)
        case .webIdentity(let tokenFile, let roleArn, let sessionName):
            WebIdentityCredentialsProvider(
                tokenFile: tokenFile, roleArn: roleArn, sessionName: sessionName,
                stsEndpoint: S3Configuration.stsEndpoint(environment, region: region),
                transport: transport, retry: retry, logger: logger)
        case .container(let endpoint):
            ContainerCredentialsProvider(endpoint: endpoint, transport: transport, logger: logger)
        case .instanceMetadata(let endpoint):
            InstanceMetadataCredentialsProvider(
                endpoint: endpoint,
                context: "no S3 credentials: \(Self.variablesTried), and the EC2 instance role from instance metadata (IMDSv2) at \(endpoint) failed",
                transport: transport, logger: logger)
        }
    }
}
