import CapstanAPI

/// One HTTP request as the router sees it: method, decoded path and query, the headers it
/// negotiates on, and the whole body.
struct APIRequest: Sendable {
    var method: String
    var path: String
    var query: [String: String]
    var accept: String
    var contentType: String
    var userAgent: String
    var body: [UInt8]

    init(method: String, uri: String, accept: String = "", contentType: String = "", userAgent: String = "",
         body: [UInt8] = []) {
        self.method = method
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = PercentDecoding.decode(String(parts.first ?? ""), plusIsSpace: false)
        var query: [String: String] = [:]
        if parts.count > 1 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = PercentDecoding.decode(String(kv[0]), plusIsSpace: true)
                if query[key] == nil {
                    query[key] = kv.count > 1 ? PercentDecoding.decode(String(kv[1]), plusIsSpace: true) : ""
                }
            }
        }
        self.query = query
        self.accept = accept
        self.contentType = contentType
        self.userAgent = userAgent
        self.body = body
    }

    /// The media type without parameters, lowercased.
    var mediaType: String {
        contentType.split(separator: ";").first.map { $0.trimmingSpaces.lowercased() } ?? ""
    }

    /// True when the client asked for a `meta.k8s.io` Table, as `kubectl get` does.
    var wantsTable: Bool { accept.contains("as=Table") }

    func flag(_ name: String) -> Bool {
        guard let value = query[name] else { return false }
        return value == "true" || value == "1"
    }
}

enum PercentDecoding {
    static func decode(_ text: String, plusIsSpace: Bool) -> String {
        guard text.contains("%") || (plusIsSpace && text.contains("+")) else { return text }
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%"), iterator.count >= 2,
               let value = UInt8(String(decoding: iterator.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                iterator = iterator.dropFirst(2)
            } else if plusIsSpace && byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
