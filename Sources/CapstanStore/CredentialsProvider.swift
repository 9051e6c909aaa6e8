/// Supplies credentials for each request. Temporary credentials (IRSA) are refreshed by the
/// provider; the client asks again for every request and calls `invalidate` when the server
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
/// SDKs use: static keys first, then a web identity (IRSA).
enum CredentialsSource: Equatable {
    case keys(AWSCredentials)
    case webIdentity(tokenFile: String, roleArn: String, sessionName: String)

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
        throw StoreError(.credentials,
            "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN (IRSA)")
    }
}
