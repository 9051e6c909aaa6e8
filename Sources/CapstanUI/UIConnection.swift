import Logging
import NIOCore
import NIOHTTP1

/// One client connection: reads requests one after another (keep-alive) and writes each
/// answer — a whole body, or an event stream that holds the connection until it ends.
struct UIConnection {
    let channel: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>
    let routes: UIRoutes
    let allowedHosts: Set<String>
    let logger: Logger

    func serve() async {
        do {
            try await channel.executeThenClose { inbound, outbound in
                var head: HTTPRequestHead?
                for try await part in inbound {
                    switch part {
                    case .head(let received): head = received
                    case .body: break  // no route takes a body
                    case .end:
                        guard let request = head else { continue }
                        head = nil
                        let keepOpen = try await answer(request, outbound)
                        if !keepOpen { return }
                    }
                }
            }
        } catch {
            // A viewer closing the tab mid-stream ends up here: nothing to report above debug.
            logger.debug("connection ended", metadata: ["error": "\(error)"])
        }
    }

    /// Writes the answer; false when the connection is to be closed after it.
    private func answer(_ head: HTTPRequestHead, _ outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws -> Bool {
        let started = ContinuousClock.now
        let response: UIResponse
        if !allowedHosts.contains(head.headers.first(name: "host") ?? "") {
            response = .text("capstan ui answers only requests addressed to its own loopback address\n", status: 421)
        } else if let request = UIRequest(method: head.method.rawValue, target: head.uri) {
            response = await routes.respond(request)
        } else {
            response = .text("cannot read the request target\n", status: 400)
        }
        switch response {
        case .full(let status, let contentType, let body):
            var headers = Self.commonHeaders(contentType: contentType)
            headers.add(name: "Content-Length", value: String(body.count))
            if !head.isKeepAlive { headers.add(name: "Connection", value: "close") }
            try await outbound.write(.head(HTTPResponseHead(version: head.version, status: HTTPResponseStatus(statusCode: status), headers: headers)))
            if head.method != .HEAD { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body)))) }
            try await outbound.write(.end(nil))
            logger.debug("answered", metadata: ["method": "\(head.method)", "uri": "\(head.uri)", "status": "\(status)",
                                                "duration": "\(ContinuousClock.now - started)"])
            return head.isKeepAlive
        case .events(let produce):
            var headers = Self.commonHeaders(contentType: "text/event-stream; charset=utf-8")
            headers.add(name: "Connection", value: "close")
            try await outbound.write(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers)))
            guard head.method != .HEAD else {
                try await outbound.write(.end(nil))
                return false
            }
            logger.debug("event stream opened", metadata: ["uri": "\(head.uri)"])
            try await produce { bytes in try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: bytes)))) }
            try await outbound.write(.end(nil))
            logger.debug("event stream ended", metadata: ["uri": "\(head.uri)", "duration": "\(ContinuousClock.now - started)"])
            return false
        }
    }

    /// Every answer: never cached (the cluster changes), and a content policy that lets the
    /// page load only this server's own script and style — no CDN, no inline code.
    private static func commonHeaders(contentType: String) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Cache-Control", value: "no-store")
        headers.add(name: "Content-Security-Policy",
                    value: "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
        headers.add(name: "X-Content-Type-Options", value: "nosniff")
        headers.add(name: "Referrer-Policy", value: "no-referrer")
        return headers
    }
}
