import CapstanAPI
import CapstanSupport
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--audit-log FILE`: one JSON object per request, so a test can compare what a client did
/// against the RBAC rules it ships. Fields: `time`, `verb` (kube's verb: get, list, watch,
/// create, update, patch, delete, deletecollection; for other paths the HTTP method in lower
/// case), `group`, `version`, `resource`, `subresource`, `namespace`, `name`, `path` (for
/// non-resource URLs), `code`, `userAgent`.
final class AuditLog: Sendable {
    private let descriptor: Mutex<Int32>

    init?(path: String?) {
        guard let path else { return nil }
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return nil }
        descriptor = Mutex(fd)
    }

    deinit {
        descriptor.withLock { _ = close($0) }
    }

    static func entry(for request: APIRequest, code: Int) -> JSONValue {
        var entry: JSONValue = ["time": .string(UTCTime.now().rfc3339()), "code": .number(Double(code)),
                                "userAgent": .string(request.userAgent)]
        guard let info = RequestInfo.parse(request.path), case .resource = info.target else {
            entry["verb"] = .string(request.method.lowercased())
            entry["path"] = .string(request.path)
            return entry
        }
        let isWatch = info.isWatchPath || request.flag("watch")
        let verb: String
        switch request.method {
        case "GET": verb = isWatch ? "watch" : (info.name.isEmpty ? "list" : "get")
        case "POST": verb = "create"
        case "PUT": verb = "update"
        case "PATCH": verb = "patch"
        case "DELETE": verb = info.name.isEmpty ? "deletecollection" : "delete"
        default: verb = request.method.lowercased()
        }
        entry["verb"] = .string(verb)
        entry["group"] = .string(info.group)
        entry["version"] = .string(info.version)
        entry["resource"] = .string(info.resource)
        entry["subresource"] = .string(info.subresource)
        entry["namespace"] = .string(info.resource == "namespaces" ? "" : info.namespace)
        entry["name"] = .string(info.name)
        return entry
    }

    func record(_ request: APIRequest, code: Int) {
        var line = Self.entry(for: request, code: code).serialized()
        line.append(UInt8(ascii: "\n"))
        descriptor.withLock { fd in
            line.withUnsafeBytes { buffer in _ = write(fd, buffer.baseAddress, buffer.count) }
        }
    }
}

extension Optional where Wrapped == AuditLog {
    func record(_ request: APIRequest, code: Int) {
        self?.record(request, code: code)
    }
}
