import CapstanAPI
/// One event of a watch stream.
public struct WatchEvent: Sendable {
    public enum EventType: String, Sendable {
        case added = "ADDED"
        case modified = "MODIFIED"
        case deleted = "DELETED"
        /// Carries only `metadata.resourceVersion`: progress to resume from, no change.
        case bookmark = "BOOKMARK"
        /// Carries a `Status`; a 410 means the watched resourceVersion expired: relist.
        case error = "ERROR"
    }

    public var type: EventType
    /// The object as of this event (for DELETED, its last state).
    public var object: JSONValue

    public init(type: EventType, object: JSONValue) {
        self.type = type
        self.object = object
    }

    /// The error an `ERROR` event reports; nil for other events.
    public var error: KubeError? {
        type == .error ? KubeError.fromStatusObject(object, request: "watch") : nil
    }

    private static let deletionPrefix = Array(#"{"type":"DELETED","#.utf8)

    /// Whether a watch line is a DELETED event, told from its first bytes as kube-apiserver
    /// writes them (`type` before `object`, no spaces). A line written otherwise reads as not
    /// one, and is then decoded whole: the answer may cost time, never correctness.
    static func isDeletion(_ line: [UInt8]) -> Bool {
        line.starts(with: deletionPrefix)
    }

    /// Parses one line of a watch response: `{"type":"ADDED","object":{...}}`, leaving out
    /// the paths in `skipping` (from the line's top: `["object", "spec"]`).
    static func parse(line: [UInt8], skipping: JSONSkipList = JSONSkipList([])) throws -> WatchEvent {
        let value: JSONValue
        do {
            value = try JSONValue.parse(line, skipping: skipping)
        } catch {
            throw KubeError(reason: .invalidResponse, code: 200, message: "watch event is not JSON: \(error)")
        }
        guard let typeName = value["type"]?.stringValue, let type = EventType(rawValue: typeName) else {
            throw KubeError(reason: .invalidResponse, code: 200,
                            message: "watch event has no known type: \(String(decoding: line.prefix(200), as: UTF8.self))")
        }
        return WatchEvent(type: type, object: value["object"] ?? .null)
    }
}

/// Splits a byte stream into newline-terminated lines without holding more than the
/// unfinished line: the watch body is never buffered whole.
struct LineSplitter: Sendable {
    private var buffer: [UInt8] = []
    private var start = 0
    /// Watch streams skip blank lines (keep-alives); a log keeps them, they are the program's.
    var keepsEmptyLines = false

    mutating func append<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete line without its terminator; empty lines are skipped unless kept.
    mutating func nextLine() -> [UInt8]? {
        while let end = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
            var lineEnd = end
            if lineEnd > start, buffer[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
            let line = Array(buffer[start..<lineEnd])
            start = end + 1
            if !line.isEmpty || keepsEmptyLines { return line }
        }
        return nil
    }

    /// What is left after the stream ended (a last line without a newline).
    mutating func remainder() -> [UInt8]? {
        let rest = Array(buffer[start...])
        buffer = []
        start = 0
        let trimmed = rest.filter { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: " ") }
        return trimmed.isEmpty ? nil : rest
    }
}
