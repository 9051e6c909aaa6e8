/// What a request path names, parsed the way kube-apiserver's RequestInfoFactory does.
struct RequestInfo: Sendable, Equatable {
    enum Target: Sendable, Equatable {
        /// `/api`, `/apis`, `/apis/GROUP`, `/api/v1`, `/apis/GROUP/VERSION`.
        case discovery(group: String?, version: String?, legacy: Bool)
        case resource
    }

    var target: Target
    var group = ""
    var version = ""
    var namespace = ""
    var resource = ""
    var name = ""
    var subresource = ""
    var isWatchPath = false

    /// Nil for paths outside `/api` and `/apis`, or with too many segments.
    static func parse(_ path: String) -> RequestInfo? {
        var parts = path.split(separator: "/").map(String.init)[...]
        guard let root = parts.popFirst() else { return nil }
        var info = RequestInfo(target: .resource)
        switch root {
        case "api":
            guard let version = parts.popFirst() else { return RequestInfo(target: .discovery(group: nil, version: nil, legacy: true)) }
            info.version = version
            if parts.isEmpty { return RequestInfo(target: .discovery(group: "", version: version, legacy: true)) }
        case "apis":
            guard let group = parts.popFirst() else { return RequestInfo(target: .discovery(group: nil, version: nil, legacy: false)) }
            guard let version = parts.popFirst() else { return RequestInfo(target: .discovery(group: group, version: nil, legacy: false)) }
            info.group = group
            info.version = version
            if parts.isEmpty { return RequestInfo(target: .discovery(group: group, version: version, legacy: false)) }
        default:
            return nil
        }
        if parts.first == "watch" {
            info.isWatchPath = true
            parts = parts.dropFirst()
        }
        if parts.first == "namespaces", parts.count > 1 {
            info.namespace = parts[parts.startIndex + 1]
            if parts.count > 2 && !["status", "finalize"].contains(parts[parts.startIndex + 2]) {
                parts = parts.dropFirst(2)
            }
        }
        guard !parts.isEmpty, parts.count <= 3 else { return nil }
        let segments = Array(parts)
        info.resource = segments[0]
        if segments.count > 1 { info.name = segments[1] }
        if segments.count > 2 { info.subresource = segments[2] }
        return info
    }
}
