import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// One HTTP exchange as the S3 client sees it. The client signs, retries and decodes; the
/// transport only moves bytes, so tests can script a server's answers without a server.
struct HTTPExchangeRequest: Sendable {
    var method: String
    var url: String
    var headers: [(String, String)]
    var body: [UInt8]?
}

struct HTTPExchangeResponse: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}

protocol HTTPTransport: Sendable {
    /// Throws only when no response arrived (connection refused, reset, timeout).
    func send(_ request: HTTPExchangeRequest, timeout: Duration) async throws -> HTTPExchangeResponse
}

/// The real transport: AsyncHTTPClient.
struct AsyncHTTPClientTransport: HTTPTransport {
    let client: HTTPClient
    /// Bodies larger than this are refused rather than buffered.
    var maxResponseBytes = 5 * 1024 * 1024 * 1024

    func send(_ request: HTTPExchangeRequest, timeout: Duration) async throws -> HTTPExchangeResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers {
            outgoing.headers.add(name: name, value: value)
        }
        if let body = request.body {
            outgoing.body = .bytes(ByteBuffer(bytes: body))
        }
        let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        let response = try await client.execute(outgoing, timeout: .nanoseconds(nanoseconds))
        let body = try await response.body.collect(upTo: maxResponseBytes)
        return HTTPExchangeResponse(
            status: Int(response.status.code),
            headers: response.headers.map { ($0.name, $0.value) },
            body: Array(buffer: body))
    }
}
