@testable import CapstanStore
import Testing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

@Suite struct FileStoreTests {
    @Test func objectsAreFilesBelowTheFolderAndNoTemporariesRemain() async throws {
        let folder = try ScratchFolder.make()
        defer { ScratchFolder.remove(folder) }
        let store = try FileStore(url: try StoreURL(parsing: "file://" + folder))
        try await store.put("ns/wf/uid/n/outputs.json", "{}".bytes)
        try await store.put("ns/wf/uid/n/outputs.json", "{\"x\":1}".bytes)

        #expect(FileManager.default.contents(atPath: folder + "/ns/wf/uid/n/outputs.json") == Data("{\"x\":1}".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/ns/wf/uid/n") == ["outputs.json"])
    }

    @Test func listingIgnoresTemporaryFilesOfWritesInProgress() async throws {
        let folder = try ScratchFolder.make()
        defer { ScratchFolder.remove(folder) }
        let store = try FileStore(path: folder)
        try await store.put("d/real.json", [1])
        // A writer that crashed between create and rename leaves its temporary behind.
        #expect(FileManager.default.createFile(atPath: folder + "/d/" + FileStore.temporaryPrefix + "abc-real.json", contents: Data([9])))
        #expect(try await store.list(prefix: "").keys == ["d/real.json"])
    }

    @Test func aFolderHoldingOnlyATemporaryIsNotACommonPrefix() async throws {
        let folder = try ScratchFolder.make()
        defer { ScratchFolder.remove(folder) }
        let store = try FileStore(path: folder)
        try FileManager.default.createDirectory(atPath: folder + "/half", withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: folder + "/half/" + FileStore.temporaryPrefix + "x-y", contents: Data([9])))
        #expect(try await store.list(prefix: "", delimiter: "/") == ObjectListing())
    }

    @Test func anObjectCannotAlsoBeAFolder() async throws {
        let folder = try ScratchFolder.make()
        defer { ScratchFolder.remove(folder) }
        let store = try FileStore(path: folder)
        try await store.put("a/b", [1])
        let error = try await #require(throws: StoreError.self) { try await store.put("a/b/c", [2]) }
        #expect(error.code == .invalidArgument)
        #expect(error.message.contains("file:///"))
        #expect(try await store.get("a/b") == [1])
    }

    @Test func aMissingRootFolderIsAnEmptyStore() async throws {
        let folder = try ScratchFolder.make()
        defer { ScratchFolder.remove(folder) }
        let store = try FileStore(path: folder + "/not/yet")
        #expect(try await store.list(prefix: "") == ObjectListing())
        #expect(try await store.getIfPresent("k") == nil)
        try await store.put("k", [7])
        #expect(try await store.get("k") == [7])
    }

    @Test func rejectsAnS3URL() throws {
        #expect(throws: StoreError.self) { try FileStore(url: .s3(bucket: "bucket")) }
    }
}
