import CapstanAPI
/// Every failure of a Kubernetes request: the server's `Status` answer decoded, or a
/// client-side problem (transport, unreadable response). Callers branch on `reason` or the
/// `is...` helpers; new reasons can be added without breaking them.
public struct KubeError: Error, Sendable, CustomStringConvertible {
    /// The `reason` field of a Kubernetes `Status`, plus the client's own reasons.
    public struct Reason: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let badRequest = Reason(rawValue: "BadRequest")
        public static let unauthorized = Reason(rawValue: "Unauthorized")
        public static let forbidden = Reason(rawValue: "Forbidden")
        public static let notFound = Reason(rawValue: "NotFound")
        public static let alreadyExists = Reason(rawValue: "AlreadyExists")
        public static let conflict = Reason(rawValue: "Conflict")
        public static let gone = Reason(rawValue: "Gone")
        /// A watch or list `resourceVersion` / continue token too old to serve (HTTP 410).
        public static let expired = Reason(rawValue: "Expired")
        public static let invalid = Reason(rawValue: "Invalid")
        public static let methodNotAllowed = Reason(rawValue: "MethodNotAllowed")
        public static let notAcceptable = Reason(rawValue: "NotAcceptable")
        public static let requestEntityTooLarge = Reason(rawValue: "RequestEntityTooLarge")
        public static let unsupportedMediaType = Reason(rawValue: "UnsupportedMediaType")
        public static let tooManyRequests = Reason(rawValue: "TooManyRequests")
        public static let internalError = Reason(rawValue: "InternalError")
        public static let serviceUnavailable = Reason(rawValue: "ServiceUnavailable")
        /// The server could not finish in time (504, or `Timeout` in a Status).
        public static let timeout = Reason(rawValue: "Timeout")
        public static let serverTimeout = Reason(rawValue: "ServerTimeout")
        /// No HTTP answer: connection refused or reset, TLS failure, client deadline.
        public static let transport = Reason(rawValue: "Transport")
        /// The server answered something that is not the JSON we asked for.
        public static let invalidResponse = Reason(rawValue: "InvalidResponse")
        public static let unknown = Reason(rawValue: "Unknown")
    }

    public var reason: Reason
    /// The HTTP status code; 0 when no answer arrived.
    public var code: Int
    public var message: String
    /// Which request failed, e.g. `get pods ml/p1`.
    public var request: String
    /// The server's `Retry-After`, when it sent one.
    public var retryAfter: Duration?
    /// The Status `details` (causes of an `Invalid`), when present.
    public var details: JSONValue?
    /// True when the request never reached the server (connection refused, connect timeout),
    /// so repeating it cannot apply it twice.
    public var notSent: Bool

    public init(reason: Reason, code: Int, message: String, request: String = "",
                retryAfter: Duration? = nil, details: JSONValue? = nil, notSent: Bool = false) {
        self.reason = reason
        self.code = code
        self.message = message
        self.request = request
        self.retryAfter = retryAfter
        self.details = details
        self.notSent = notSent
    }

    public var description: String {
        let prefix = request.isEmpty ? "" : "\(request): "
        let status = code == 0 ? reason.rawValue : "\(code) \(reason.rawValue)"
        return "\(prefix)\(status): \(message)"
    }

    public var isNotFound: Bool { reason == .notFound || (code == 404 && reason != .transport) }
    public var isAlreadyExists: Bool { reason == .alreadyExists }
    /// An optimistic-concurrency failure: a stale resourceVersion or a failed precondition.
    public var isConflict: Bool { reason == .conflict || (code == 409 && reason != .alreadyExists) }
    /// The requested resourceVersion is no longer available: relist.
    public var isGone: Bool { code == 410 || reason == .gone || reason == .expired }
    public var isInvalid: Bool { reason == .invalid || code == 422 }
    public var isBadRequest: Bool { reason == .badRequest || code == 400 }
    public var isUnauthorized: Bool { reason == .unauthorized || code == 401 }
    public var isForbidden: Bool { reason == .forbidden || code == 403 }
    public var isTooManyRequests: Bool { reason == .tooManyRequests || code == 429 }
    public var isServerError: Bool { code >= 500 }
    public var isTimeout: Bool { reason == .timeout || reason == .serverTimeout || code == 504 }
    public var isTransport: Bool { reason == .transport }
}
