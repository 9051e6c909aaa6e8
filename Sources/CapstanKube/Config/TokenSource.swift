import CapstanSupport
import Foundation
import NIOConcurrencyHelpers

/// A bearer token: fixed, read from a file that may be rewritten while we run (projected
/// service-account tokens rotate about hourly), or printed by an exec credential plugin.
/// A file is re-read at most once per `refreshInterval`; a plugin is run again shortly before
/// its token expires. Both are refreshed at once after the server answered 401 (`invalidate()`).
public final class TokenSource: Sendable {
    private enum Origin: Sendable {
        case fixed(String)
        case file(path: String, refreshInterval: Duration)
        case exec(ExecCredentialPlugin)
    }

    private struct Cached: Sendable {
        var token: String?
        /// When the cached token must be fetched again.
        var refreshAt: Date?
        /// A plugin run in progress, shared by every request that needs a token meanwhile.
        var pending: Task<ExecCredentialPlugin.Credential, any Error>?
    }

    private let origin: Origin
    private let cache = NIOLockedValueBox(Cached())

    public init(token: String) {
        origin = .fixed(token)
    }

    public init(file path: String, refreshInterval: Duration = .seconds(60)) {
        origin = .file(path: path, refreshInterval: refreshInterval)
    }

    init(plugin: ExecCredentialPlugin) {
        origin = .exec(plugin)
    }

    /// The token to send now.
    public func token() async throws -> String {
        switch origin {
        case .fixed(let token):
            return token
        case .file(let path, let interval):
            let now = Date()
            if let cached = cachedToken(now: now) { return cached }
            let token = try Self.read(path)
            cache.withLockedValue { $0 = Cached(token: token, refreshAt: now.addingTimeInterval(interval.seconds)) }
            return token
        case .exec(let plugin):
            if let cached = cachedToken(now: Date()) { return cached }
            let task = cache.withLockedValue { cached in
                if let pending = cached.pending { return pending }
                let task = Task { try await plugin.run() }
                cached.pending = task
                return task
            }
            do {
                let credential = try await task.value
                cache.withLockedValue { cached in
                    // Refresh a little early so a request never carries a token that expires in flight.
                    cached = Cached(token: credential.token, refreshAt: credential.expiresAt?.addingTimeInterval(-30), pending: nil)
                }
                return credential.token
            } catch {
                cache.withLockedValue { $0.pending = nil }
                throw error
            }
        }
    }

    private func cachedToken(now: Date) -> String? {
        cache.withLockedValue { cached in
            guard let token = cached.token else { return nil }
            if let refreshAt = cached.refreshAt, refreshAt <= now { return nil }
            return token
        }
    }

    /// Forgets the cached token so the next request reads or fetches it again.
    public func invalidate() {
        cache.withLockedValue { $0 = Cached() }
    }

    /// Whether fetching again can change the token (a fixed token never does).
    public var canRefresh: Bool {
        if case .fixed = origin { return false }
        return true
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
