import CapstanAPI
import Foundation

extension KubeError {
    /// Decodes a non-2xx answer. The body is normally a `Status`; when it is not (a proxy's
    /// HTML page, an empty body) the reason follows from the status code.
    public static func fromResponse(code: Int, body: [UInt8], retryAfterHeader: String? = nil, request: String = "") -> KubeError {
        let status = (try? JSONValue.parse(body)).flatMap { $0["kind"]?.stringValue == "Status" ? $0 : nil }
        var reason = status?["reason"]?.stringValue.flatMap { $0.isEmpty ? nil : Reason(rawValue: $0) }
        // Status.code may be absent; the HTTP code is the truth for the transport anyway.
        let effectiveCode = code
        if reason == nil || reason == .unknown {
            reason = defaultReason(code: effectiveCode)
        }
        var message = status?["message"]?.stringValue ?? ""
        if message.isEmpty {
            let text = String(decoding: body.prefix(512), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            message = text.isEmpty ? "the server answered \(code) with no explanation" : text
        }
        var retryAfter = retryAfterHeader.flatMap(parseRetryAfter)
        if retryAfter == nil, let seconds = status?.value(at: "details", "retryAfterSeconds")?.intValue, seconds > 0 {
            retryAfter = .seconds(seconds)
        }
        return KubeError(reason: reason!, code: effectiveCode, message: message, request: request,
                         retryAfter: retryAfter, details: status?["details"])
    }

    /// Decodes the `Status` object carried by a watch `ERROR` event.
    public static func fromStatusObject(_ status: JSONValue, request: String = "") -> KubeError {
        let code = status["code"]?.intValue ?? 500
        return fromResponse(code: code, body: status.serialized(), request: request)
    }

    static func defaultReason(code: Int) -> Reason {
        switch code {
        case 400: return .badRequest
        case 401: return .unauthorized
        case 403: return .forbidden
        case 404: return .notFound
        case 405: return .methodNotAllowed
        case 406: return .notAcceptable
        case 409: return .conflict
        case 410: return .expired
        case 413: return .requestEntityTooLarge
        case 415: return .unsupportedMediaType
        case 422: return .invalid
        case 429: return .tooManyRequests
        case 503: return .serviceUnavailable
        case 504: return .timeout
        case 500...599: return .internalError
        default: return .unknown
        }
    }

    /// `Retry-After` as delay-seconds (what kube-apiserver sends); HTTP dates are ignored.
    static func parseRetryAfter(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(trimmed), seconds >= 0 { return .seconds(seconds) }
        if let seconds = Double(trimmed), seconds >= 0, seconds.isFinite { return .milliseconds(Int(seconds * 1000)) }
        return nil
    }

    static func transport(_ error: any Error, request: String) -> KubeError {
        KubeError(reason: .transport, code: 0, message: String(describing: error), request: request,
                  notSent: TransportFailure.wasNotSent(error))
    }
}
