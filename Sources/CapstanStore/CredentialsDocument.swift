import CapstanSupport
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What the container endpoint and instance metadata answer: `{"AccessKeyId",
/// "SecretAccessKey", "Token", "Expiration"}`; on failure `{"code", "message"}` (the container
/// agents) or a `"Code"` other than `"Success"` with a `"Message"` (instance metadata).
struct CredentialsDocument: Decodable {
    var accessKeyId: String?
    var secretAccessKey: String?
    var token: String?
    var expiration: String?
    var code: String?
    var message: String?

    private enum Key: String, CodingKey {
        case AccessKeyId, SecretAccessKey, Token, Expiration, Code, Message, code, message
    }

    init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: Key.self)
        accessKeyId = try fields.decodeIfPresent(String.self, forKey: .AccessKeyId)
        secretAccessKey = try fields.decodeIfPresent(String.self, forKey: .SecretAccessKey)
        token = try fields.decodeIfPresent(String.self, forKey: .Token)
        expiration = try fields.decodeIfPresent(String.self, forKey: .Expiration)
        code = try fields.decodeIfPresent(String.self, forKey: .Code) ?? fields.decodeIfPresent(String.self, forKey: .code)
        message = try fields.decodeIfPresent(String.self, forKey: .Message) ?? fields.decodeIfPresent(String.self, forKey: .message)
    }

    static func decode(_ body: [UInt8]) throws -> CredentialsDocument {
        try JSONDecoder().decode(CredentialsDocument.self, from: Data(body))
    }

    /// `code: message` of an error answer, nil when it has neither.
    var problem: String? {
        switch (code, message) {
        case (nil, nil): nil
        case (let code?, nil): code
        case (nil, let message?): message
        case (let code?, let message?): "\(code): \(message)"
        }
    }

    /// The credentials in a 200 answer; `what` names the source in errors.
    static func credentials(from body: [UInt8], what: String) throws -> AWSCredentials {
        let document: CredentialsDocument
        do {
            document = try decode(body)
        } catch {
            throw StoreError(.credentials, "\(what): the answer is not a JSON object of credentials: \(String(decoding: body.prefix(200), as: UTF8.self))")
        }
        if let code = document.code, code != "Success" {
            throw StoreError(.credentials, "\(what): \(document.problem ?? code)", serverCode: code)
        }
        guard let accessKeyId = document.accessKeyId, let secretAccessKey = document.secretAccessKey else {
            throw StoreError(.credentials, "\(what): the answer lacks AccessKeyId or SecretAccessKey")
        }
        var expiration: Int64?
        if let text = document.expiration {
            guard let time = UTCTime(rfc3339: text) else {
                throw StoreError(.credentials, "\(what): Expiration \(text) is not an RFC 3339 time")
            }
            expiration = time.secondsSince1970
        }
        return AWSCredentials(accessKeyId: accessKeyId, secretAccessKey: secretAccessKey,
                              sessionToken: document.token, expiration: expiration)
    }
}
