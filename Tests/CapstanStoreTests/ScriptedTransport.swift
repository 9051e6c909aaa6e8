@testable import CapstanStore

/// A stand-in S3 server: answers each request with whatever `respond` returns (or throws, to
/// play a connection failure) and records what was sent.
actor ScriptedTransport: HTTPTransport {
    typealias Responder = @Sendable (_ request: HTTPExchangeRequest, _ index: Int) throws -> HTTPExchangeResponse

    private let respond: Responder
    private(set) var requests: [HTTPExchangeRequest] = []

    init(_ respond: @escaping Responder) {
        self.respond = respond
    }

    func send(_ request: HTTPExchangeRequest, timeout: Duration) async throws -> HTTPExchangeResponse {
        requests.append(request)
        return try respond(request, requests.count - 1)
    }
}

struct ConnectionRefused: Error, CustomStringConvertible {
    var description: String { "connection refused (scripted)" }
}

/// Records the pauses a client takes instead of taking them.
actor SleepRecorder {
    private(set) var delays: [Duration] = []
    func record(_ delay: Duration) { delays.append(delay) }
}

extension HTTPExchangeResponse {
    static func ok(_ body: String = "", headers: [(String, String)] = []) -> HTTPExchangeResponse {
        HTTPExchangeResponse(status: 200, headers: headers, body: Array(body.utf8))
    }

    static func s3Error(_ status: Int, _ code: String, _ message: String = "scripted") -> HTTPExchangeResponse {
        HTTPExchangeResponse(status: status, headers: [("Content-Type", "application/xml")], body: Array("""
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>\(code)</Code><Message>\(message)</Message><RequestId>REQ123</RequestId></Error>
            """.utf8))
    }
}

extension HTTPExchangeRequest {
    var path: String {
        let afterScheme = url.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        return afterScheme.count > 3 ? "/" + String(afterScheme[3]).split(separator: "?", maxSplits: 1).first.map(String.init)! : "/"
    }

    var queryString: String {
        url.split(separator: "?", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
    }

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}

/// An S3Store over a scripted transport, with sleeps recorded rather than taken.
func scriptedStore(prefix: String = "pre", retry: StoreRetryPolicy = StoreRetryPolicy(maxAttempts: 4),
                   configure: (inout S3Configuration) -> Void = { _ in },
                   credentials: any AWSCredentialsProvider = StaticCredentialsProvider(
                       AWSCredentials(accessKeyId: "AKID", secretAccessKey: "secret")),
                   _ respond: @escaping ScriptedTransport.Responder) throws -> (S3Store, ScriptedTransport, SleepRecorder) {
    let transport = ScriptedTransport(respond)
    let sleeps = SleepRecorder()
    var configuration = S3Configuration(
        endpoint: try S3Endpoint(parsing: "http://127.0.0.1:1", addressing: .path), retry: retry)
    configure(&configuration)
    var client = S3Client(configuration: configuration, credentials: credentials, transport: transport)
    client.sleep = { await sleeps.record($0) }
    client.random = { 0.5 }
    let store = try S3Store(url: .s3(bucket: "bucket", prefix: prefix), client: client, ownedHTTPClient: nil)
    return (store, transport, sleeps)
}
