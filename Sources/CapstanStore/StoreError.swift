/// Every failure a store reports. A struct around an extensible code rather than an enum,
/// so that adding a code breaks no caller's `switch`.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let name: String
        public var description: String { name }

        /// The object does not exist.
        public static let noSuchKey = Code(name: "noSuchKey")
        /// The S3 bucket does not exist.
        public static let noSuchBucket = Code(name: "noSuchBucket")
        /// The credentials are valid but not allowed to do this.
        public static let accessDenied = Code(name: "accessDenied")
        /// The secret key does not match the access key (or the clock is far off).
        public static let signatureDoesNotMatch = Code(name: "signatureDoesNotMatch")
        /// The access key is unknown to the server.
        public static let invalidAccessKeyId = Code(name: "invalidAccessKeyId")
        /// No credentials could be found or obtained (environment, web identity, container
        /// endpoint, instance metadata).
        public static let credentials = Code(name: "credentials")
        /// The server could not be reached or kept failing after every retry.
        public static let unavailable = Code(name: "unavailable")
        /// The store URL or a key is malformed.
        public static let invalidArgument = Code(name: "invalidArgument")
        /// A local file operation failed.
        public static let io = Code(name: "io")
        /// Any other error the server returned; `serverCode` holds its code.
        public static let other = Code(name: "other")
    }

    public var code: Code
    /// What a person should know, naming the bucket and key or path involved.
    public var message: String
    /// The error code as the server sent it (`NoSuchKey`, `SlowDown`…), when there was one.
    public var serverCode: String?
    /// The HTTP status, when the error came from an HTTP response.
    public var httpStatus: Int?

    public init(_ code: Code, _ message: String, serverCode: String? = nil, httpStatus: Int? = nil) {
        self.code = code
        self.message = message
        self.serverCode = serverCode
        self.httpStatus = httpStatus
    }

    public var description: String { message }
}
