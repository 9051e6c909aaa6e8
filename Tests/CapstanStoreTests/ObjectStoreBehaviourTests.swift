import CapstanStore
import Testing

/// What every store must do the same way, run against each implementation.
@Suite struct ObjectStoreBehaviourTests {
    @Test(arguments: StoreKind.allCases)
    func putThenGetReturnsTheBytesAndOverwriteReplacesThem(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.put("ns/wf/uid/node/outputs.json", "{\"a\":1}".bytes)
            #expect(try await store.get("ns/wf/uid/node/outputs.json") == "{\"a\":1}".bytes)

            try await store.put("ns/wf/uid/node/outputs.json", "{\"a\":2,\"b\":[]}".bytes)
            #expect(try await store.get("ns/wf/uid/node/outputs.json") == "{\"a\":2,\"b\":[]}".bytes)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func emptyAndBinaryObjectsRoundTrip(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.put("empty", [])
            #expect(try await store.get("empty") == [])
            #expect(try await store.head("empty")?.size == 0)

            let everyByte = (0..<1024).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            try await store.put("binary.bin", everyByte)
            #expect(try await store.get("binary.bin") == everyByte)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func headReportsSizeAndAnETagThatChangesWithTheContent(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            #expect(try await store.head("a/b.json") == nil)
            try await store.put("a/b.json", "12345".bytes)
            let first = try #require(try await store.head("a/b.json"))
            #expect(first.size == 5)
            #expect(!first.etag.isEmpty)

            try await store.put("a/b.json", "1234567".bytes)
            let second = try #require(try await store.head("a/b.json"))
            #expect(second.size == 7)
            #expect(second.etag != first.etag)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func missingKeyIsATypedNotFoundNamingTheObject(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let error = try await #require(throws: StoreError.self) { try await store.get("no/such/outputs.json") }
            #expect(error.code == .noSuchKey)
            #expect(error.message.contains(store.url.uri(for: "no/such/outputs.json")))
            #expect(try await store.getIfPresent("no/such/outputs.json") == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func listFiltersByPrefixAndRollsUpByDelimiter(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            for key in ["a/1.json", "a/2.json", "a/b/3.json", "a/b/c/4.json", "ab.json", "c.json"] {
                try await store.put(key, key.bytes)
            }

            let all = try await store.list(prefix: "")
            #expect(all.keys == ["a/1.json", "a/2.json", "a/b/3.json", "a/b/c/4.json", "ab.json", "c.json"])
            #expect(all.commonPrefixes == [])
            #expect(all.objects.first { $0.key == "a/b/3.json" }?.size == "a/b/3.json".utf8.count)

            let underA = try await store.list(prefix: "a/")
            #expect(underA.keys == ["a/1.json", "a/2.json", "a/b/3.json", "a/b/c/4.json"])

            let startsWithA = try await store.list(prefix: "a")
            #expect(startsWithA.keys == ["a/1.json", "a/2.json", "a/b/3.json", "a/b/c/4.json", "ab.json"])

            let folderA = try await store.list(prefix: "a/", delimiter: "/")
            #expect(folderA.keys == ["a/1.json", "a/2.json"])
            #expect(folderA.commonPrefixes == ["a/b/"])

            let top = try await store.list(prefix: "", delimiter: "/")
            #expect(top.keys == ["ab.json", "c.json"])
            #expect(top.commonPrefixes == ["a/"])

            let partial = try await store.list(prefix: "a/b", delimiter: "/")
            #expect(partial.keys == [])
            #expect(partial.commonPrefixes == ["a/b/"])

            #expect(try await store.list(prefix: "zzz/", delimiter: "/") == ObjectListing())
        }
    }

    @Test(arguments: StoreKind.allCases)
    func deleteRemovesTheObjectAndEmptyFoldersVanishFromListings(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.put("x/y/only.json", "1".bytes)
            try await store.put("x/keep.json", "2".bytes)
            #expect(try await store.list(prefix: "x/", delimiter: "/").commonPrefixes == ["x/y/"])

            try await store.delete("x/y/only.json")
            #expect(try await store.head("x/y/only.json") == nil)
            let listing = try await store.list(prefix: "x/", delimiter: "/")
            if kind.dropsEmptyFoldersAtOnce {
                #expect(listing.commonPrefixes == [])
            }
            #expect(listing.keys == ["x/keep.json"])
            #expect(try await store.list(prefix: "x/y/").keys == [])

            // Deleting what is not there succeeds, as on S3.
            try await store.delete("x/y/only.json")
            try await store.delete("never/existed")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func keysWithSpacesUnicodeAndPunctuationRoundTrip(kind: StoreKind) async throws {
        let keys = ["dir with space/file name.json", "ünï/cödé ☃.txt", "p/a+b=c&d;e,f@g$h!(i)'j*.json", "p/~tilde_-.x"]
        try await withStore(kind) { store in
            for key in keys {
                try await store.put(key, key.bytes)
                #expect(try await store.get(key) == key.bytes, "key \(key)")
                #expect(try await store.head(key)?.size == key.utf8.count, "key \(key)")
            }
            #expect(try await store.list(prefix: "p/").keys == ["p/a+b=c&d;e,f@g$h!(i)'j*.json", "p/~tilde_-.x"])
            #expect(try await store.list(prefix: "ünï/").keys == ["ünï/cödé ☃.txt"])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func malformedKeysAreRejectedBeforeAnyRequest(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            for key in ["", "/abs", "a/../b", "a/./b", "a//b", "a/", ".."] {
                let error = try await #require(throws: StoreError.self, "key \(key)") { try await store.put(key, [1]) }
                #expect(error.code == .invalidArgument)
                #expect(error.message.contains("key \"\(key)\""))
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentWritersNeverLeaveAMixedObject(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let versions = (0..<8).map { version in [UInt8](repeating: UInt8(version), count: 64 * 1024) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for version in versions {
                    group.addTask { try await store.put("race/object.bin", version) }
                }
                try await group.waitForAll()
            }
            let final = try await store.get("race/object.bin")
            #expect(versions.contains(final))
            #expect(try await store.list(prefix: "race/").keys == ["race/object.bin"])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func fullURIsOfKeysLieUnderTheStoreURL(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let uri = store.url.uri(for: "ns/wf/uid/node/outputs.json")
            #expect(uri == store.url.description + "/ns/wf/uid/node/outputs.json")
            #expect(store.url.key(forURI: uri) == "ns/wf/uid/node/outputs.json")
        }
    }
}
