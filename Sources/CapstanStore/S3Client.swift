import CapstanSupport
import Logging

/// One S3 request: which bucket and key, and what to send. The key is the full object key
/// (store prefix included).
struct S3Request: Sendable {
    var method: String
    var bucket: String
    var key: String?
    var query: [(String, String)] = []
    var headers: [(String, String)] = []
    var body: [UInt8]? = nil

    /// `GET s3://bucket/key`, for messages.
    var description: String {
        "\(method) s3://\(bucket)\(key.map { "/" + $0 } ?? "")"
    }
}

/// Signs, sends and retries S3 requests, and turns S3 error responses into `StoreError`s.
/// Clock, sleep and randomness are injected so that tests drive retries without waiting.
struct S3Client: Sendable {
    let configuration: S3Configuration
    let credentials: any AWSCredentialsProvider
    let transport: any HTTPTransport
    var now: @Sendable () -> Int64 = { UTCTime.now().secondsSince1970 }
    var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    var random: @Sendable () -> Double = { Double.random(in: 0..<1) }
    var logger = Logger(label: "capstan.store")

    /// Sends `request` until it succeeds (2xx), fails for good, or runs out of attempts.
    /// 2xx responses are returned; every other outcome throws a `StoreError`.
    func send(_ request: S3Request) async throws -> HTTPExchangeResponse {
        var attempt = 0
        var refreshedCredentials = false
        while true {
            attempt += 1
            let outcome: Failure
            do {
                let response = try await transport.send(try await signed(request), timeout: configuration.requestTimeout)
                if (200..<300).contains(response.status) {
                    return response
                }
                let error = S3ErrorDecoder.decode(response, for: request, endpoint: configuration.endpoint)
                if !refreshedCredentials, ["ExpiredToken", "InvalidToken", "TokenRefreshRequired"].contains(error.serverCode ?? "") {
                    // Temporary credentials expired before their stated time (clock skew);
                    // fetch new ones once and try again without using up an attempt.
                    refreshedCredentials = true
                    attempt -= 1
                    await credentials.invalidate()
                    continue
                }
                guard S3ErrorDecoder.isRetryable(error) else { throw error }
                outcome = .response(error)
            } catch let error as StoreError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                outcome = .connection(error)
            }
            if attempt >= configuration.retry.maxAttempts {
                throw outcome.finalError(request: request, endpoint: configuration.endpoint, attempts: attempt)
            }
            let delay = configuration.retry.delay(beforeRetry: attempt, random: random())
            logger.debug("retrying S3 request", metadata: [
                "request": "\(request.description)", "attempt": "\(attempt)", "delay": "\(delay)", "error": "\(outcome)",
            ])
            try await sleep(delay)
        }
    }

    private enum Failure: CustomStringConvertible {
        case response(StoreError)
        case connection(any Error)

        var description: String {
            switch self {
            case .response(let error): return error.message
            case .connection(let error): return "\(error)"
            }
        }

        func finalError(request: S3Request, endpoint: S3Endpoint, attempts: Int) -> StoreError {
            switch self {
            case .response(var error):
                error.message += " (gave up after \(attempts) attempts)"
                if error.code == .other { error.code = .unavailable }
                return error
            case .connection(let error):
                return StoreError(.unavailable,
                    "\(request.description): S3 endpoint \(endpoint) unreachable after \(attempts) attempts: \(error)")
            }
        }
    }

    /// The request with SigV4 headers, signed at the current time.
    func signed(_ request: S3Request) async throws -> HTTPExchangeRequest {
        let credentials = try await self.credentials.credentials()
        let (host, path) = configuration.endpoint.target(bucket: request.bucket, key: request.key)
        let payloadHash: String
        switch configuration.payloadSigning {
        case .signed: payloadHash = SigV4Signer.hexSHA256(request.body ?? [])
        case .unsigned: payloadHash = SigV4Signer.unsignedPayload
        }
        let date = AmzDate(secondsSince1970: now())
        var headers = request.headers
        headers.append(("host", host))
        headers.append(("x-amz-date", date.timestamp))
        headers.append(("x-amz-content-sha256", payloadHash))
        if let token = credentials.sessionToken {
            headers.append(("x-amz-security-token", token))
        }
        let signer = SigV4Signer(credentials: credentials, region: configuration.region, service: "s3")
        let signature = signer.sign(
            SigV4Signer.Request(method: request.method, path: path, query: request.query,
                                headers: headers, payloadHash: payloadHash),
            at: date)
        headers.append(("Authorization", signature.authorization))
        return HTTPExchangeRequest(
            method: request.method,
            url: configuration.endpoint.url(host: host, path: path, query: request.query),
            headers: headers,
            body: request.body)
    }
}
