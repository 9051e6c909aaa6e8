/// A request as the routes see it: the decoded path segments and query, nothing else —
/// the UI reads no body and no cookie.
struct UIRequest: Sendable, Equatable {
    var method: String
    var path: [String]
    var query: [String: String]

    init(method: String = "GET", path: [String], query: [String: String] = [:]) {
        self.method = method
        self.path = path
        self.query = query
    }

    /// Parses a request target (`/workflows/ml/train%2Dsweep?node=a`); nil when it is not
    /// a path or its escapes do not decode.
    init?(method: String, target: String) {
        guard target.hasPrefix("/") else { return nil }
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var path: [String] = []
        for segment in parts[0].split(separator: "/") {
            guard let decoded = Self.decode(segment, plusIsSpace: false) else { return nil }
            path.append(decoded)
        }
        var query: [String: String] = [:]
        if parts.count > 1 {
            for pair in parts[1].split(separator: "&") where !pair.isEmpty {
                let keyValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard let key = Self.decode(keyValue[0], plusIsSpace: true),
                      let value = Self.decode(keyValue.count > 1 ? keyValue[1] : "", plusIsSpace: true) else { return nil }
                query[key] = value
            }
        }
        self.init(method: method, path: path, query: query)
    }

    private static func decode(_ text: Substring, plusIsSpace: Bool) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                bytes.append(high << 4 | low)
            case UInt8(ascii: "+") where plusIsSpace:
                bytes.append(UInt8(ascii: " "))
            default:
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
