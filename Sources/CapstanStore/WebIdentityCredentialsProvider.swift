import CapstanSupport
import Logging

/// IRSA: trades the projected service-account token (`AWS_WEB_IDENTITY_TOKEN_FILE`) for
/// temporary credentials of `AWS_ROLE_ARN` through STS `AssumeRoleWithWebIdentity`.
///
/// Credentials are cached and refreshed `refreshMargin` before they expire; concurrent callers
/// share one STS call. The token file is read on every refresh because the kubelet rotates it.
public actor WebIdentityCredentialsProvider: AWSCredentialsProvider {
    let tokenFile: String
    let roleArn: String
    let sessionName: String
    let stsEndpoint: String
    let transport: any HTTPTransport
    let retry: StoreRetryPolicy
    let refreshMargin: Int64
    let now: @Sendable () -> Int64
    let sleep: @Sendable (Duration) async throws -> Void
    let logger: Logger

    private var cached: AWSCredentials?
    private var refreshing: Task<AWSCredentials, any Error>?

    init(tokenFile: String, roleArn: String, sessionName: String, stsEndpoint: String,
         transport: any HTTPTransport, retry: StoreRetryPolicy = StoreRetryPolicy(), refreshMargin: Int64 = 300,
         now: @escaping @Sendable () -> Int64 = { UTCTime.now().secondsSince1970 },
         sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
         logger: Logger = Logger(label: "capstan.store")) {
        self.tokenFile = tokenFile
        self.roleArn = roleArn
        self.sessionName = sessionName
        self.stsEndpoint = stsEndpoint
        self.transport = transport
        self.retry = retry
        self.refreshMargin = refreshMargin
        self.now = now
        self.sleep = sleep
        self.logger = logger
    }

    public func credentials() async throws -> AWSCredentials {
        if let cached, let expiration = cached.expiration, now() < expiration - refreshMargin {
            return cached
        }
        let task: Task<AWSCredentials, any Error>
        if let refreshing {
            task = refreshing
        } else {
            task = Task { try await self.assumeRole() }
            refreshing = task
        }
        do {
            let fresh = try await task.value
            if refreshing == task { refreshing = nil }
            cached = fresh
            return fresh
        } catch {
            if refreshing == task { refreshing = nil }
            // Credentials inside the refresh margin still work; a brief STS outage must not
            // stop the controller while they do.
            if let cached, let expiration = cached.expiration, now() < expiration {
                logger.warning("refreshing web identity credentials failed; using the current ones until they expire",
                               metadata: ["error": "\(error)", "role": "\(roleArn)"])
                return cached
            }
            throw error
        }
    }

    public func invalidate() async {
        cached = nil
    }

    private func assumeRole() async throws -> AWSCredentials {
        let token: String
        do {
            let text = String(decoding: try POSIXFile.read(tokenFile), as: UTF8.self)
            token = String(text.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
        } catch {
            throw StoreError(.credentials, "reading the web identity token AWS_WEB_IDENTITY_TOKEN_FILE=\(tokenFile): \(error)")
        }
        let form: [(String, String)] = [
            ("Action", "AssumeRoleWithWebIdentity"),
            ("RoleArn", roleArn),
            ("RoleSessionName", sessionName),
            ("Version", "2011-06-15"),
            ("WebIdentityToken", token),
        ]
        let body = Array(SigV4Signer.canonicalQuery(form).utf8)
        let request = HTTPExchangeRequest(
            method: "POST", url: stsEndpoint,
            headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/xml")],
            body: body)
        var attempt = 0
        while true {
            attempt += 1
            var failure = ""
            do {
                let response = try await transport.send(request, timeout: .seconds(30))
                if response.status == 200 {
                    return try parse(response.body)
                }
                let (code, message) = STSErrorBody.decode(response.body)
                failure = "\(code ?? "HTTP \(response.status)"): \(message ?? "no message")"
                let retryable = response.status >= 500 || response.status == 429
                    || code == "Throttling" || code == "IDPCommunicationError"
                if !retryable || attempt >= retry.maxAttempts {
                    throw StoreError(.credentials,
                        "STS AssumeRoleWithWebIdentity for \(roleArn) at \(stsEndpoint) failed: \(failure)",
                        serverCode: code, httpStatus: response.status)
                }
            } catch let error as StoreError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                failure = "\(error)"
                if attempt >= retry.maxAttempts {
                    throw StoreError(.credentials,
                        "STS AssumeRoleWithWebIdentity for \(roleArn): \(stsEndpoint) unreachable after \(attempt) attempts: \(failure)")
                }
            }
            logger.debug("retrying STS AssumeRoleWithWebIdentity", metadata: ["attempt": "\(attempt)", "error": "\(failure)"])
            try await sleep(retry.delay(beforeRetry: attempt, random: Double.random(in: 0..<1)))
        }
    }

    private func parse(_ body: [UInt8]) throws -> AWSCredentials {
        let root = try XMLTree.parse(body)
        guard let credentials = root.child("AssumeRoleWithWebIdentityResult")?.child("Credentials"),
              let accessKey = credentials.value("AccessKeyId"),
              let secret = credentials.value("SecretAccessKey"),
              let token = credentials.value("SessionToken"),
              let expirationText = credentials.value("Expiration"),
              let expiration = UTCTime(rfc3339: expirationText)?.secondsSince1970
        else {
            throw StoreError(.credentials, "STS AssumeRoleWithWebIdentity for \(roleArn): the response lacks credentials or their expiration")
        }
        return AWSCredentials(accessKeyId: accessKey, secretAccessKey: secret, sessionToken: token, expiration: expiration)
    }
}

/// `<ErrorResponse><Error><Code>…</Code><Message>…</Message></Error></ErrorResponse>`
enum STSErrorBody {
    static func decode(_ body: [UInt8]) -> (code: String?, message: String?) {
        guard let root = try? XMLTree.parse(body) else { return (nil, nil) }
        let error = root.name == "Error" ? root : root.child("Error")
        return (error?.value("Code"), error?.value("Message"))
    }
}
