import CapstanStore
import Testing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The store implementations the behaviour suite runs against. Each test gets a fresh,
/// empty store (its own folder or its own bucket prefix).
enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case file
    case s3

    var testDescription: String { rawValue }

    /// Whether a folder whose last object was deleted disappears from delimited listings at
    /// once, as on AWS S3. SeaweedFS keeps such a prefix until its background empty-directory
    /// cleanup runs (seaweedfs/seaweedfs issue 9810), so the test server cannot show it.
    var dropsEmptyFoldersAtOnce: Bool { self == .file }

    func makeStore() async throws -> any ObjectStore {
        switch self {
        case .file:
            return try FileStore(path: try ScratchFolder.make())
        case .s3:
            return try await S3TestServer.shared.makeStore()
        }
    }
}

enum ScratchFolder {
    static let base = (ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp")
        + "/capstan-store-test-"

    /// A new empty folder under the system temporary directory; `remove` it when done.
    static func make() throws -> String {
        let path = base + UUID().uuidString.lowercased()
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Removes a folder `make` created (and nothing else).
    static func remove(_ path: String) {
        guard path.hasPrefix(base) else { return }
        let folder = String(path.dropFirst(base.count).prefix { $0 != "/" })
        try? FileManager.default.removeItem(atPath: base + folder)
    }
}

/// Runs `body` with a fresh store and shuts the store down afterwards, even when `body` fails.
func withStore<T>(_ kind: StoreKind, _ body: (any ObjectStore) async throws -> T) async throws -> T {
    let store = try await kind.makeStore()
    defer {
        if case .file(let path) = store.url.location { ScratchFolder.remove(path) }
    }
    do {
        let result = try await body(store)
        try await store.shutdown()
        return result
    } catch {
        try? await store.shutdown()
        throw error
    }
}

extension String {
    var bytes: [UInt8] { Array(utf8) }
}
