import CapstanSupport
import Logging

/// IRSA: trades the projected service-account token (`AWS_WEB_IDENTITY_TOKEN_FILE`) for
/// temporary credentials of `AWS_ROLE_ARN` through STS `AssumeRoleWithWebIdentity`.
///
/// Credentials are cached and refreshed `refreshMargin` before they expire (`CredentialsCache`).
/// The token file is read on every refresh because the kubelet rotates it.
public struct WebIdentityCredentialsProvider: AWSCredentialsProvider {
    let tokenFile: String
    let roleArn: String
    let sessionName: String
    let stsEndpoint: String
    let caller: CredentialsEndpointCaller
    let cache: CredentialsCache

    init(tokenFile: String, roleArn: String, sessionName: String, stsEndpoint: String,
         transport: any HTTPTransport, retry: StoreRetryPolicy = StoreRetryPolicy(), refreshMargin: Int64 = 300,
         now: @escaping @Sendable () -> Int64 = { UTCTime.now().secondsSince1970 },
         sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
         logger: Logger = Logger(label: "capstan.store")) {
        self.tokenFile = tokenFile
        self.roleArn = roleArn
        self.sessionName = sessionName
        self.stsEndpoint = stsEndpoint
        caller = CredentialsEndpointCaller(transport: transport, retry: retry, timeout: .seconds(30), sleep: sleep, logger: logger)
        cache = CredentialsCache(source: "web identity credentials for \(roleArn)", refreshMargin: refreshMargin,
                                 now: now, logger: logger)
    }

    public func credentials() async throws -> AWSCredentials {
        try await cache.credentials { try await assumeRole() }
    }

    public func invalidate() async {
        await cache.invalidate()
    }

    private func assumeRole() async throws -> AWSCredentials {
        let token = try TokenFile.read(tokenFile, variable: "AWS_WEB_IDENTITY_TOKEN_FILE", what: "the web identity token")
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
        let response = try await caller.send(request, what: "STS AssumeRoleWithWebIdentity for \(roleArn)") { response in
            guard response.status != 200 else { return false }
            let code = STSErrorBody.decode(response.body).code
            return CredentialsEndpointCaller.serverTrouble(response) || code == "Throttling" || code == "IDPCommunicationError"
        }
        guard response.status == 200 else {
            let (code, message) = STSErrorBody.decode(response.body)
            throw StoreError(.credentials,
                "STS AssumeRoleWithWebIdentity for \(roleArn) at \(stsEndpoint) failed: \(code ?? "HTTP \(response.status)"): \(message ?? "no message")",
                serverCode: code, httpStatus: response.status)
        }
        return try parse(response.body)
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
