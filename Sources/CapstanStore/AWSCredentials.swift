/// An access key pair, with a session token and expiry when temporary (IRSA, EKS Pod Identity,
/// the EC2 instance role).
public struct AWSCredentials: Sendable, Hashable, CustomStringConvertible {
    public var accessKeyId: String
    public var secretAccessKey: String
    public var sessionToken: String?
    /// Unix time in seconds after which the credentials no longer work; nil if they never expire.
    public var expiration: Int64?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Int64? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }

    /// Never prints the secret or the token, so credentials can be logged by accident safely.
    public var description: String {
        "AWSCredentials(accessKeyId: \(accessKeyId), secret: <redacted>\(sessionToken == nil ? "" : ", session token: <redacted>"))"
    }
}
