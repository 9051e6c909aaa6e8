import CapstanAPI
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A response read off the wire, headers lower-cased.
public struct HTTPResult: Sendable, CustomStringConvertible {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]

    public var text: String { String(decoding: body, as: UTF8.self) }
    public var json: JSONValue? { try? JSONValue.parse(body) }
    public var description: String { "HTTP \(status) \(text.prefix(2000))" }
}

/// A minimal blocking HTTP/1.1 client over a loopback socket, so tests see exactly what the
/// server sends (status, headers, chunked watch streams) with nothing in between.
public final class RawHTTPConnection: @unchecked Sendable {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var chunked = false
    private var payload: [UInt8] = []
    private var finished = false
    public private(set) var status = 0
    public private(set) var headers: [String: String] = [:]

    /// Connects, sends the request and reads the status line and headers.
    public init(_ base: URL, method: String, path: String, headers extra: [String: String] = [:],
                body: [UInt8]? = nil, timeout: Double = 30) throws {
        guard let port = base.port else { throw ProcessRunnerError(description: "no port in \(base)") }
        #if canImport(Glibc)
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw ProcessRunnerError(description: "socket() failed") }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw ProcessRunnerError(description: "cannot connect to \(base)")
        }
        var request = "\(method) \(path) HTTP/1.1\r\nConnection: close\r\n"
        if extra["Host"] == nil { request += "Host: 127.0.0.1:\(port)\r\n" }
        request += "Authorization: Bearer test\r\n"
        var allHeaders = extra
        if let body { allHeaders["Content-Length"] = String(body.count) }
        if allHeaders["Accept"] == nil { allHeaders["Accept"] = "application/json" }
        for (name, value) in allHeaders { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        var bytes = Array(request.utf8)
        if let body { bytes += body }
        try sendAll(bytes)
        try readHead()
    }

    deinit { close(fd) }

    private func sendAll(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw ProcessRunnerError(description: "send failed") }
            offset += n
        }
    }

    /// Reads more bytes; false at end of stream or timeout.
    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return false }
        buffer += chunk[0..<n]
        return true
    }

    private func readHead() throws {
        let separator: [UInt8] = [13, 10, 13, 10]
        while true {
            if let range = firstRange(of: separator, in: buffer) {
                let head = String(decoding: buffer[0..<range.lowerBound], as: UTF8.self)
                buffer.removeFirst(range.upperBound)
                let lines = head.components(separatedBy: "\r\n")
                status = Int(lines[0].split(separator: " ")[1]) ?? 0
                for line in lines.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                chunked = headers["transfer-encoding"]?.lowercased() == "chunked"
                return
            }
            guard fill() else { throw ProcessRunnerError(description: "connection closed before the response head") }
        }
    }

    /// Moves decoded body bytes from `buffer` to `payload`; false when no progress is possible yet.
    private func decode() -> Bool {
        guard chunked else {
            payload += buffer
            let progressed = !buffer.isEmpty
            buffer.removeAll()
            return progressed
        }
        guard let lineEnd = firstRange(of: [13, 10], in: buffer) else { return false }
        let sizeText = String(decoding: buffer[0..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";")[0]
        guard let size = Int(sizeText, radix: 16) else { finished = true; return false }
        if size == 0 {
            finished = true
            return false
        }
        guard buffer.count >= lineEnd.upperBound + size + 2 else { return false }
        payload += buffer[lineEnd.upperBound..<(lineEnd.upperBound + size)]
        buffer.removeFirst(lineEnd.upperBound + size + 2)
        return true
    }

    /// The whole body (waits for the end of the response).
    public func readBody() -> [UInt8] {
        while !finished {
            while decode() {}
            if finished || !fill() { break }
        }
        while decode() {}
        return payload
    }

    /// The next newline-terminated JSON line of a watch stream, or nil when the stream ended.
    public func nextLine() -> JSONValue? {
        nextTextLine().flatMap { try? JSONValue.parse(Array($0.utf8)) }
    }

    /// The next line of a text stream (Server-Sent Events), without its newline; nil when
    /// the stream ended or nothing came before the timeout.
    public func nextTextLine() -> String? {
        while true {
            if let newline = payload.firstIndex(of: 10) {
                let line = Array(payload[0..<newline])
                payload.removeFirst(newline + 1)
                return String(decoding: line, as: UTF8.self)
            }
            if decode() { continue }
            if finished || !fill() { return nil }
        }
    }

    private func firstRange(of pattern: [UInt8], in bytes: [UInt8]) -> Range<Int>? {
        guard bytes.count >= pattern.count else { return nil }
        for start in 0...(bytes.count - pattern.count) where bytes[start] == pattern[0] {
            if Array(bytes[start..<(start + pattern.count)]) == pattern { return start..<(start + pattern.count) }
        }
        return nil
    }
}

extension RawHTTPConnection {
    /// The next Server-Sent Event, skipping comments (keep-alives); nil when the stream ended
    /// or went quiet past the connection's timeout.
    public func nextEvent() -> (name: String, data: String)? {
        var name = "message"
        var data: [String] = []
        while let line = nextTextLine() {
            if line.isEmpty {
                if data.isEmpty { continue }
                return (name, data.joined(separator: "\n"))
            }
            if line.hasPrefix(":") { continue }
            if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
            if line.hasPrefix("data: ") { data.append(String(line.dropFirst(6))) }
            if line == "data:" { data.append("") }
        }
        return nil
    }
}

public enum RawHTTP {
    /// One request with `Connection: close`; runs off the cooperative pool since it blocks,
    /// and so does writing the JSON body, which takes seconds for the megabytes some tests send.
    public static func request(_ base: URL, _ method: String, _ path: String, json: JSONValue? = nil,
                               body: [UInt8]? = nil, headers: [String: String] = [:]) async throws -> HTTPResult {
        try await Blocking.run {
            var headers = headers
            var payload = body
            if let json {
                payload = json.serialized()
                if headers["Content-Type"] == nil { headers["Content-Type"] = "application/json" }
            }
            let connection = try RawHTTPConnection(base, method: method, path: path, headers: headers, body: payload)
            let body = connection.readBody()
            return HTTPResult(status: connection.status, headers: connection.headers, body: body)
        }
    }
}
