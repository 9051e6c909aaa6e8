/// What a route answers: a whole body, or a stream of Server-Sent Events written as they come.
enum UIResponse: Sendable {
    case full(status: Int, contentType: String, body: [UInt8])
    /// An event stream: `produce` writes events with the function it is given until it
    /// returns (the Workflow finished) or a write throws (the viewer left).
    case events(@Sendable (_ write: @Sendable ([UInt8]) async throws -> Void) async throws -> Void)

    static func html(_ text: String, status: Int = 200) -> UIResponse {
        .full(status: status, contentType: "text/html; charset=utf-8", body: Array(text.utf8))
    }

    static func text(_ text: String, status: Int) -> UIResponse {
        .full(status: status, contentType: "text/plain; charset=utf-8", body: Array(text.utf8))
    }

    static func notFound(_ what: String) -> UIResponse {
        .html(HTML.document(title: "Not found", body: "<h1>Not found</h1><p>\(HTML.escape(what))</p><p><a href=\"/\">All Workflows</a></p>"),
              status: 404)
    }
}

/// One Server-Sent Event in the wire format: each line of `data` on its own `data:` line, so
/// an HTML fragment of many lines arrives as one event.
struct ServerSentEvent: Sendable, Equatable {
    var name: String
    var data: String

    var bytes: [UInt8] {
        var text = "event: \(name)\n"
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) {
            text += "data: \(line.hasSuffix("\r") ? String(line.dropLast()) : String(line))\n"
        }
        return Array((text + "\n").utf8)
    }

    /// A comment line: keeps the connection alive and finds out whether the viewer is still there.
    static let keepAlive = Array(": keep-alive\n\n".utf8)
}
