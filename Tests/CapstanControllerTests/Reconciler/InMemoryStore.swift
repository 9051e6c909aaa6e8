import CapstanStore
import Synchronization

/// A store in memory that can be made unreachable, for the reconciler's tests.
final class InMemoryStore: ObjectStore, Sendable {
    private let state = Mutex((objects: [String: [UInt8]](), down: false))
    let url = StoreURL.file(path: "/in-memory")

    /// While down, every request fails as an unreachable S3 endpoint does.
    func setDown(_ down: Bool) { state.withLock { $0.down = down } }
    var keys: [String] { state.withLock { Array($0.objects.keys) } }

    private func check() throws {
        if state.withLock({ $0.down }) { throw StoreError(.unavailable, "connection refused") }
    }

    func get(_ key: String) async throws -> [UInt8] {
        try check()
        guard let bytes = state.withLock({ $0.objects[key] }) else { throw StoreError(.noSuchKey, "no object \(key)") }
        return bytes
    }

    func put(_ key: String, _ bytes: [UInt8]) async throws {
        try check()
        state.withLock { $0.objects[key] = bytes }
    }

    func head(_ key: String) async throws -> ObjectInfo? {
        try check()
        return state.withLock { $0.objects[key].map { ObjectInfo(size: $0.count, etag: "\($0.hashValue)") } }
    }

    func list(prefix: String, delimiter: String?) async throws -> ObjectListing {
        try check()
        return ObjectListing()
    }

    func delete(_ key: String) async throws {
        try check()
        _ = state.withLock { $0.objects.removeValue(forKey: key) }
    }

    func shutdown() async throws {}
}
