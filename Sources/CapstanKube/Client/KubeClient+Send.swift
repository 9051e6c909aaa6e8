import CapstanAPI
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// One API request before it is sent.
struct KubeRequest: Sendable {
    var verb: KubeVerb
    var method: HTTPMethod
    var address: ResourceAddress
    var query: [(String, String)] = []
    var body: JSONValue? = nil
    var contentType: String = "application/json"
    /// Safe to repeat after a 5xx or a broken connection (see `KubeRetryPolicy`).
    var idempotent: Bool

    var summary: String { "\(verb.rawValue) \(address)" }
}

extension KubeClient {
    /// Set on every answer by an API server that applies API Priority and Fairness
    /// (k8s.io/api/flowcontrol: `ResponseHeaderMatchedFlowSchemaUID`).
    static let priorityAndFairnessHeader = "X-Kubernetes-PF-FlowSchema-UID"

    /// Sends a request with rate limiting, retries and metrics; decodes the JSON answer,
    /// leaving out what `skipping` names.
    func send(_ request: KubeRequest, skipping: JSONSkipList = JSONSkipList([])) async throws -> JSONValue {
        let response = try await execute(request)
        let bytes: ByteBuffer
        do {
            bytes = try await response.body.collect(upTo: options.maxResponseBytes)
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw KubeError.transport(error, request: request.summary)
        }
        if bytes.readableBytes == 0 { return .null }
        do {
            return try JSONValue.parse(bytes.readableBytesView, skipping: skipping)
        } catch {
            throw KubeError(reason: .invalidResponse, code: response.status,
                            message: "the answer is not JSON: \(error)", request: request.summary)
        }
    }

    /// Sends a request like `send`, reading the answer to the end (so the connection is
    /// reused) without decoding it.
    func sendIgnoringAnswer(_ request: KubeRequest) async throws {
        let response = try await execute(request)
        do {
            for try await _ in response.body {}
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw KubeError.transport(error, request: request.summary)
        }
    }

    /// Sends a request and returns the successful response with its body unread; every
    /// failed attempt is decoded, and repeated when the retry policy allows it.
    func execute(_ request: KubeRequest) async throws -> KubeResponse {
        var retries = 0
        var refreshedToken = false
        while true {
            try Task.checkCancellation()
            try await limiter.acquire()
            let failure: KubeError
            let started = ContinuousClock.now
            do {
                let response = try await perform(request)
                let code = response.status
                metrics.record(verb: request.verb, code: code, duration: ContinuousClock.now - started)
                // Looked for only while the limit is on: once off, answers are not searched.
                if options.unlimitedUnderPriorityAndFairness, limiter.isLimiting,
                   let flowSchema = response.header(Self.priorityAndFairnessHeader), limiter.turnOff() {
                    logger.info("the API server applies API Priority and Fairness; no client-side rate limit from now on",
                                metadata: ["flowSchema": "\(flowSchema)"])
                }
                if (200..<300).contains(code) { return response }
                let body = (try? await response.body.collect(upTo: 1 << 20)).map { Array($0.readableBytesView) } ?? []
                failure = KubeError.fromResponse(code: code, body: body, retryAfterHeader: response.header("Retry-After"),
                                                 request: request.summary)
            } catch let error as KubeConfigError {
                throw KubeError(reason: .unauthorized, code: 0, message: error.description, request: request.summary)
            } catch {
                if Task.isCancelled { throw CancellationError() }
                metrics.record(verb: request.verb, code: nil, duration: ContinuousClock.now - started)
                failure = KubeError.transport(error, request: request.summary)
            }

            if failure.isUnauthorized, !refreshedToken, case .bearer(let tokens) = config.credentials, tokens.canRefresh {
                // The service-account token may have rotated since we read it.
                tokens.invalidate()
                refreshedToken = true
                continue
            }
            switch options.retry.decide(failure, idempotent: request.idempotent, retriesSoFar: retries, jitter: Double.random(in: 0..<1)) {
            case .fail:
                throw failure
            case .retry(let delay):
                retries += 1
                logger.debug("retrying Kubernetes request", metadata: [
                    "request": "\(request.summary)", "error": "\(failure)", "retry": "\(retries)", "delay": "\(delay)",
                ])
                try await Task.sleep(for: delay)
            }
        }
    }

    /// One try of `request` over the client's transport.
    private func perform(_ request: KubeRequest) async throws -> KubeResponse {
        switch transport {
        case .http(let http):
            return KubeResponse(try await http.execute(try await makeHTTPRequest(request), timeout: TimeAmount(options.requestTimeout)))
        case .inProcess(let server):
            let local = InProcessRequest(method: request.method.rawValue, uri: Self.uri(request), accept: "application/json",
                                         contentType: request.body == nil ? "" : request.contentType,
                                         userAgent: options.userAgent, body: request.body?.serialized() ?? [])
            return KubeResponse(try await server.serve(local))
        }
    }

    /// The request line's target: the path, then the percent-encoded query.
    private static func uri(_ request: KubeRequest) -> String {
        request.query.isEmpty ? request.address.path : request.address.path + "?" + PercentEncoding.query(request.query)
    }

    private func makeHTTPRequest(_ request: KubeRequest) async throws -> HTTPClientRequest {
        var url = config.server.absoluteString
        while url.hasSuffix("/") { url.removeLast() }
        url += Self.uri(request)

        var http = HTTPClientRequest(url: url)
        http.method = request.method
        http.headers.add(name: "Accept", value: "application/json")
        http.headers.add(name: "User-Agent", value: options.userAgent)
        switch config.credentials {
        case .none:
            break
        case .bearer(let tokens):
            http.headers.add(name: "Authorization", value: "Bearer \(try await tokens.token())")
        case .basic(let username, let password):
            let encoded = Data("\(username):\(password)".utf8).base64EncodedString()
            http.headers.add(name: "Authorization", value: "Basic \(encoded)")
        }
        if let body = request.body {
            let bytes = body.serialized()
            http.headers.add(name: "Content-Type", value: request.contentType)
            http.body = .bytes(ByteBuffer(bytes: bytes))
        }
        return http
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
