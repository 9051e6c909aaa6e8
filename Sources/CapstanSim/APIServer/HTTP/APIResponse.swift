import CapstanAPI

/// A complete (non-streaming) response.
struct APIResponse: Sendable {
    var status: Int
    var contentType: String = "application/json"
    var headers: [(String, String)] = []
    var body: [UInt8]

    static func json(_ value: JSONValue, status: Int = 200) -> APIResponse {
        APIResponse(status: status, body: value.serialized())
    }

    static func bytes(_ body: [UInt8], status: Int = 200, contentType: String = "application/json") -> APIResponse {
        APIResponse(status: status, contentType: contentType, body: body)
    }

    static func error(_ error: StatusError) -> APIResponse {
        var response = APIResponse.json(error.status, status: error.code)
        if let retry = error.retryAfterSeconds { response.headers.append(("Retry-After", String(retry))) }
        return response
    }
}
