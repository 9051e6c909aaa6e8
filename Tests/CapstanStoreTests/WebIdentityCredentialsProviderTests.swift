@testable import CapstanStore
import Synchronization
import Testing
import Foundation

/// IRSA against a scripted STS.
@Suite struct WebIdentityCredentialsProviderTests {
    static func stsAnswer(key: String, expiration: String) -> HTTPExchangeResponse {
        .ok("""
            <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <AssumeRoleWithWebIdentityResult>
                <SubjectFromWebIdentityToken>system:serviceaccount:capstan:controller</SubjectFromWebIdentityToken>
                <Credentials>
                  <AccessKeyId>\(key)</AccessKeyId>
                  <SecretAccessKey>secret-\(key)</SecretAccessKey>
                  <SessionToken>token-\(key)</SessionToken>
                  <Expiration>\(expiration)</Expiration>
                </Credentials>
              </AssumeRoleWithWebIdentityResult>
            </AssumeRoleWithWebIdentityResponse>
            """)
    }

    func makeProvider(now: ManualClock, token: String = "eyJ.token.sig\n",
                      _ respond: @escaping ScriptedTransport.Responder) throws -> (WebIdentityCredentialsProvider, ScriptedTransport, String) {
        let folder = try ScratchFolder.make()
        let tokenFile = folder + "/token"
        try token.write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let transport = ScriptedTransport(respond)
        let provider = WebIdentityCredentialsProvider(
            tokenFile: tokenFile, roleArn: "arn:aws:iam::123456789012:role/capstan", sessionName: "capstan",
            stsEndpoint: "https://sts.us-east-1.amazonaws.com/", transport: transport,
            retry: StoreRetryPolicy(maxAttempts: 3), refreshMargin: 300, now: { now.seconds }, sleep: { _ in })
        return (provider, transport, tokenFile)
    }

    // 2015-08-30T12:36:00Z
    let start: Int64 = 1_440_938_160

    @Test func exchangesTheTokenFileForRoleCredentials() async throws {
        let clock = ManualClock(start)
        let (provider, transport, tokenFile) = try makeProvider(now: clock) { _, _ in
            Self.stsAnswer(key: "ASIA1", expiration: "2015-08-30T13:36:00Z")
        }
        defer { ScratchFolder.remove(tokenFile) }
        let credentials = try await provider.credentials()
        #expect(credentials == AWSCredentials(accessKeyId: "ASIA1", secretAccessKey: "secret-ASIA1",
                                              sessionToken: "token-ASIA1", expiration: start + 3600))
        let request = try #require(await transport.requests.first)
        #expect(request.method == "POST")
        #expect(request.url == "https://sts.us-east-1.amazonaws.com/")
        #expect(request.header("Authorization") == nil)
        let form = String(decoding: request.body ?? [], as: UTF8.self)
        #expect(form == "Action=AssumeRoleWithWebIdentity&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fcapstan&RoleSessionName=capstan&Version=2011-06-15&WebIdentityToken=eyJ.token.sig")
    }

    @Test func cachesUntilShortlyBeforeExpiryThenRefreshesWithTheRotatedToken() async throws {
        let clock = ManualClock(start)
        let (provider, transport, tokenFile) = try makeProvider(now: clock) { _, index in
            index == 0 ? Self.stsAnswer(key: "FIRST", expiration: "2015-08-30T13:36:00Z")
                       : Self.stsAnswer(key: "SECOND", expiration: "2015-08-30T14:36:00Z")
        }
        defer { ScratchFolder.remove(tokenFile) }
        #expect(try await provider.credentials().accessKeyId == "FIRST")
        clock.seconds = start + 3600 - 301
        #expect(try await provider.credentials().accessKeyId == "FIRST")
        #expect(await transport.requests.count == 1)

        try "rotated-token".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        clock.seconds = start + 3600 - 299
        #expect(try await provider.credentials().accessKeyId == "SECOND")
        let second = try #require(await transport.requests.last)
        #expect(String(decoding: second.body ?? [], as: UTF8.self).hasSuffix("WebIdentityToken=rotated-token"))
    }

    @Test func concurrentCallersShareOneSTSCall() async throws {
        let clock = ManualClock(start)
        let (provider, transport, tokenFile) = try makeProvider(now: clock) { _, _ in
            Self.stsAnswer(key: "SHARED", expiration: "2015-08-30T13:36:00Z")
        }
        defer { ScratchFolder.remove(tokenFile) }
        let keys = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 { group.addTask { try await provider.credentials().accessKeyId } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(keys == Array(repeating: "SHARED", count: 20))
        #expect(await transport.requests.count == 1)
    }

    @Test func keepsUsingValidCredentialsWhenARefreshFails() async throws {
        let clock = ManualClock(start)
        let (provider, _, tokenFile) = try makeProvider(now: clock) { _, index in
            if index == 0 { return Self.stsAnswer(key: "KEEP", expiration: "2015-08-30T13:36:00Z") }
            throw ConnectionRefused()
        }
        defer { ScratchFolder.remove(tokenFile) }
        _ = try await provider.credentials()
        clock.seconds = start + 3600 - 10
        #expect(try await provider.credentials().accessKeyId == "KEEP")

        clock.seconds = start + 3600 + 1
        let error = try await #require(throws: StoreError.self) { try await provider.credentials() }
        #expect(error.code == .credentials)
        #expect(error.message.contains("unreachable after 3 attempts"))
    }

    @Test func anSTSRefusalIsACredentialsErrorNamingTheRole() async throws {
        let (provider, transport, tokenFile) = try makeProvider(now: ManualClock(start)) { _, _ in
            HTTPExchangeResponse(status: 403, headers: [], body: Array("""
                <ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>
                <Message>Not authorized to perform sts:AssumeRoleWithWebIdentity</Message></Error></ErrorResponse>
                """.utf8))
        }
        defer { ScratchFolder.remove(tokenFile) }
        let error = try await #require(throws: StoreError.self) { try await provider.credentials() }
        #expect(error.code == .credentials)
        #expect(error.message.contains("arn:aws:iam::123456789012:role/capstan"))
        #expect(error.message.contains("AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity"))
        #expect(await transport.requests.count == 1)
    }

    @Test func aMissingTokenFileSaysWhichVariable() async throws {
        let transport = ScriptedTransport { _, _ in .ok() }
        let provider = WebIdentityCredentialsProvider(
            tokenFile: "/nonexistent/token", roleArn: "arn:aws:iam::1:role/r", sessionName: "s",
            stsEndpoint: "https://sts.example/", transport: transport)
        let error = try await #require(throws: StoreError.self) { try await provider.credentials() }
        #expect(error.message.contains("AWS_WEB_IDENTITY_TOKEN_FILE=/nonexistent/token"))
        #expect(await transport.requests.isEmpty)
    }
}

/// A wall clock the test sets by hand.
final class ManualClock: Sendable {
    private let value: Mutex<Int64>

    init(_ seconds: Int64) {
        value = Mutex(seconds)
    }

    var seconds: Int64 {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}
