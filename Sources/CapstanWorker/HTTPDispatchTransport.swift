import CapstanAPI
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// `POST CAPSTAN_DISPATCH_URL/v1/workers/poll` with the worker's bearer token, JSON both ways.
/// Many transports may share one `HTTPClient` (the scripted kubelet runs every simulated
/// worker over one); its owner shuts it down.
public struct HTTPDispatchTransport: DispatchTransport {
    public let client: HTTPClient
    public let url: String
    private let authorization: String
    /// Longer than the controller's long poll, so that a held request is not cut.
    public var timeout: TimeAmount = .seconds(30)
    /// Answers larger than this are refused (an assignment is a few KiB).
    public static let maximumAnswerBytes = 4 << 20

    public init(client: HTTPClient, dispatchURL: String, token: String) {
        self.client = client
        var base = dispatchURL
        while base.hasSuffix("/") { base.removeLast() }
        url = base + WorkerProtocol.pollPath
        authorization = "Bearer " + token
    }

    public init(client: DispatchHTTPClient, environment: WorkerEnvironment) {
        self.init(client: client.client, dispatchURL: environment.dispatchURL, token: environment.token)
    }

    public func poll(_ poll: WorkerPoll) async throws -> WorkerAssignment {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "Authorization", value: authorization)
        request.body = .bytes(ByteBuffer(bytes: poll.json.serialized()))
        let status: Int
        let answer: ByteBuffer
        do {
            let response = try await client.execute(request, timeout: timeout)
            status = Int(response.status.code)
            answer = try await response.body.collect(upTo: Self.maximumAnswerBytes)
        } catch {
            throw DispatchError.transient("POST \(url): \(error)")
        }
        guard status == 200 else {
            throw DispatchError.forStatus(status, body: String(buffer: answer).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        do {
            return try WorkerAssignment(json: JSONValue.parse(answer.readableBytesView))
        } catch {
            // A controller mid-upgrade or a proxy in the way: worth waiting out, as an outage is.
            throw DispatchError.transient("POST \(url): cannot read the answer: \(error)", status: status)
        }
    }
}

/// The HTTP client of a process's workers: enough connections for every worker to hold a
/// long poll at once. Shut it down when the workers are done.
public final class DispatchHTTPClient: Sendable {
    public let client: HTTPClient

    /// `connectTimeout` bounds how long a poll keeps trying to connect (the client retries a
    /// refused connection within it) before the loop sees the error and backs off.
    public init(connectionsPerHost: Int = 8, connectTimeout: Duration = .seconds(5)) {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .nanoseconds(Int64(connectTimeout.seconds * 1e9)), read: .seconds(30))
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connectionsPerHost)
        configuration.decompression = .disabled
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func transport(_ environment: WorkerEnvironment) -> HTTPDispatchTransport {
        HTTPDispatchTransport(client: self, environment: environment)
    }

    public func shutdown() async {
        try? await client.shutdown()
    }
}
