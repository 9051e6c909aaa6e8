import NIOCore

/// An API server in this very process, reached without HTTP. `capstan sim` hands one to its own
/// kubelets: on a real cluster a kubelet's sockets and HTTP framing cost CPU on its own node,
/// not on the machine the API server and the controller share, so the sim's kubelets should not
/// spend the controller's cores on them either. Everything past the transport is the same: the
/// request is routed, checked, faulted (`--fault-rate`) and audited as one from a socket is.
public protocol InProcessAPIServer: Sendable {
    /// The server's answer; throws only when the server cannot take requests at all (it has
    /// stopped), which a client treats as a connection that failed.
    func serve(_ request: InProcessRequest) async throws -> InProcessResponse
}

/// One request as it would go on the wire.
public struct InProcessRequest: Sendable {
    public var method: String
    /// The path and the percent-encoded query, as in an HTTP request line.
    public var uri: String
    public var accept: String
    public var contentType: String
    public var userAgent: String
    public var body: [UInt8]

    public init(method: String, uri: String, accept: String, contentType: String, userAgent: String, body: [UInt8]) {
        self.method = method
        self.uri = uri
        self.accept = accept
        self.contentType = contentType
        self.userAgent = userAgent
        self.body = body
    }
}

/// The answer: a status, headers, and a body that is either complete or streamed (a watch, a
/// followed log). A streamed body ends when the server ends the response and throws when the
/// server drops it, as a cut connection would.
public struct InProcessResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: Body

    public enum Body: Sendable {
        case complete([UInt8])
        /// `read` is told the size of each chunk the reader takes, so the server can cut off a
        /// reader that falls too far behind, as it cuts a connection that stops reading.
        case stream(AsyncThrowingStream<[UInt8], any Error>, read: @Sendable (Int) -> Void)
    }

    public init(status: Int, headers: [(String, String)], body: Body) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// What the server throws into a streamed body it drops (a watch cut by `--fault-rate`, or one
/// whose reader fell too far behind): the reader sees it as a broken connection.
public struct InProcessStreamCut: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "the in-process API server dropped the stream" }
}
