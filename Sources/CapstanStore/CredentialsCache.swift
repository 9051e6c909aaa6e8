import CapstanSupport
import Logging

/// Keeps the temporary credentials a provider fetched (web identity, container endpoint,
/// instance metadata) and fetches new ones `refreshMargin` seconds before they expire, so no
/// request is signed with credentials about to lapse.
///
/// Concurrent callers share one fetch. A failed refresh keeps the current credentials while
/// they still work: a brief outage of STS or a metadata endpoint must not stop the controller.
actor CredentialsCache {
    /// Names the source in the warning logged when a refresh fails.
    let source: String
    let refreshMargin: Int64
    let now: @Sendable () -> Int64
    let logger: Logger

    private var cached: AWSCredentials?
    private var refreshAt = Int64.min
    private var refreshing: Task<AWSCredentials, any Error>?

    init(source: String, refreshMargin: Int64, now: @escaping @Sendable () -> Int64, logger: Logger) {
        self.source = source
        self.refreshMargin = refreshMargin
        self.now = now
        self.logger = logger
    }

    func credentials(fetch: @escaping @Sendable () async throws -> AWSCredentials) async throws -> AWSCredentials {
        if let cached, now() < refreshAt {
            return cached
        }
        let task: Task<AWSCredentials, any Error>
        if let refreshing {
            task = refreshing
        } else {
            task = Task { try await fetch() }
            refreshing = task
        }
        do {
            let fresh = try await task.value
            if refreshing == task { refreshing = nil }
            keep(fresh)
            return fresh
        } catch {
            if refreshing == task { refreshing = nil }
            if let cached, let expiration = cached.expiration, now() < expiration {
                logger.warning("refreshing \(source) failed; using the current ones until they expire",
                               metadata: ["error": "\(error)"])
                return cached
            }
            throw error
        }
    }

    func invalidate() {
        cached = nil
        refreshAt = .min
    }

    private func keep(_ fresh: AWSCredentials) {
        cached = fresh
        guard let expiration = fresh.expiration else {
            refreshAt = .max
            return
        }
        let current = now()
        if expiration - refreshMargin > current {
            refreshAt = expiration - refreshMargin
        } else {
            // Already inside the margin when handed out (instance metadata serves the old
            // credentials until shortly before they lapse): use them for a minute rather than
            // fetching again for every request.
            refreshAt = min(expiration, current + 60)
        }
    }
}

/// Calls a credentials endpoint (STS, the container endpoint, instance metadata) and tries
/// again, with the store's backoff, when no answer came or the answer is one `retryable` picks.
struct CredentialsEndpointCaller: Sendable {
    var transport: any HTTPTransport
    var retry: StoreRetryPolicy
    /// Deadline of each attempt, connecting included.
    var timeout: Duration
    var sleep: @Sendable (Duration) async throws -> Void
    var logger: Logger

    static func serverTrouble(_ response: HTTPExchangeResponse) -> Bool {
        response.status >= 500 || response.status == 429
    }

    /// The first answer `retryable` rejects, or the last one when attempts run out. Throws a
    /// `credentials` error naming `what` and the URL when no answer came at all.
    func send(_ request: HTTPExchangeRequest, what: String,
              retryable: (HTTPExchangeResponse) -> Bool = serverTrouble) async throws -> HTTPExchangeResponse {
        var attempt = 0
        while true {
            attempt += 1
            let failure: String
            do {
                let response = try await transport.send(request, timeout: timeout)
                if !retryable(response) || attempt >= retry.maxAttempts {
                    return response
                }
                failure = "HTTP \(response.status)"
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                if attempt >= retry.maxAttempts {
                    throw StoreError(.credentials,
                        "\(what): \(request.url) unreachable after \(attempt) attempt\(attempt == 1 ? "" : "s") of \(timeout) each: \(error)")
                }
                failure = "\(error)"
            }
            logger.debug("retrying \(what)", metadata: ["attempt": "\(attempt)", "error": "\(failure)"])
            try await sleep(retry.delay(beforeRetry: attempt, random: Double.random(in: 0..<1)))
        }
    }
}

/// A token kept in a file that its issuer rotates (the kubelet's projected service-account
/// token, the EKS Pod Identity token): read again for every fetch, never cached.
enum TokenFile {
    /// The token without the surrounding whitespace an editor or `echo` leaves. `variable` is
    /// the setting that named the file, so the error says what to check.
    static func read(_ path: String, variable: String, what: String) throws -> String {
        let text: String
        do {
            text = String(decoding: try POSIXFile.read(path), as: UTF8.self)
        } catch {
            throw StoreError(.credentials, "reading \(what) \(variable)=\(path): \(error)")
        }
        return text.trimmingWhitespace
    }
}

extension StringProtocol {
    /// Without leading and trailing whitespace and line breaks.
    var trimmingWhitespace: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
