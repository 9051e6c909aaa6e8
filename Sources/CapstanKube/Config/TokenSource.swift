import Foundation
import NIOConcurrencyHelpers

/// A bearer token, either fixed or read from a file that may be rewritten while we run
/// (projected service-account tokens rotate about hourly). The file is re-read at most once
/// per `refreshInterval`, and at once after the server answered 401 (`invalidate()`).
public final class TokenSource: Sendable {
    private enum Origin: Sendable {
        case fixed(String)
        case file(path: String, refreshInterval: Duration)
    }

    private struct Cached: Sendable {
        var token: String?
        var readAt: ContinuousClock.Instant?
    }

    private let origin: Origin
    private let cache = NIOLockedValueBox(Cached())

    public init(token: String) {
        origin = .fixed(token)
    }

    public init(file path: String, refreshInterval: Duration = .seconds(60)) {
        origin = .file(path: path, refreshInterval: refreshInterval)
    }

    /// The token to send now.
    public func token() throws -> String {
        switch origin {
        case .fixed(let token):
            return token
        case .file(let path, let interval):
            let now = ContinuousClock.now
            if let cached = cache.withLockedValue({ c -> String? in
                guard let token = c.token, let at = c.readAt, now - at < interval else { return nil }
                return token
            }) {
                return cached
            }
            let token = try Self.read(path)
            cache.withLockedValue { $0 = Cached(token: token, readAt: now) }
            return token
        }
    }

    /// Forgets the cached token so the next request reads the file again.
    public func invalidate() {
        cache.withLockedValue { $0 = Cached() }
    }

    /// Whether re-reading can change the token (a fixed token never does).
    public var canRefresh: Bool {
        if case .file = origin { return true }
        return false
    }

    private static func read(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KubeConfigError(location: path, reason: "cannot read the bearer token file")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else {
            throw KubeConfigError(location: path, reason: "the bearer token file is empty")
        }
        return token
    }
}
