#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A store in a local folder (`file:///PATH`), for `capstan dev` and tests. Each key is a
/// file below the folder; a put writes a temporary file beside the target and renames it over,
/// so readers never see a partial object, just as with S3.
///
/// File calls block the calling thread; objects are expected to be small (outputs, cache
/// entries), where that costs less than handing each call to a thread pool.
public struct FileStore: ObjectStore {
    public let url: StoreURL
    let root: String

    /// Temporary files carry this name prefix; listings skip them.
    static let temporaryPrefix = ".capstan-tmp-"

    public init(url: StoreURL) throws {
        guard case .file(let path) = url.location else {
            throw StoreError(.invalidArgument, "store URL \(url): FileStore needs a file:/// URL")
        }
        self.url = url
        self.root = path
    }

    /// A store rooted at `path` (an absolute folder path).
    public init(path: String) throws {
        try self.init(url: .file(path: path))
    }

    func path(of key: String) throws -> String {
        try StoreKeyRules.validate(key, in: url)
        return root == "/" ? "/" + key : root + "/" + key
    }

    public func get(_ key: String) async throws -> [UInt8] {
        let file = try path(of: key)
        do {
            return try POSIXFile.read(file)
        } catch let error as POSIXFile.Failure where error.errno == ENOENT || error.errno == EISDIR || error.errno == ENOTDIR {
            throw StoreError(.noSuchKey, "no object \(url.uri(for: key)) (file \(file) does not exist)")
        } catch let error as POSIXFile.Failure {
            throw ioError(error, key: key)
        }
    }

    public func put(_ key: String, _ bytes: [UInt8]) async throws {
        let file = try path(of: key)
        let directory = String(file[..<file.lastIndex(of: "/")!])
        let name = String(file[file.index(after: file.lastIndex(of: "/")!)...])
        // A concurrent delete may remove an empty parent folder between mkdir and create;
        // creating the folders again and retrying covers that race.
        var attempt = 0
        while true {
            attempt += 1
            do {
                try POSIXFile.makeDirectories(directory)
                let temporary = directory + "/" + FileStore.temporaryPrefix + randomHex() + "-" + name
                try POSIXFile.write(temporary, bytes)
                do {
                    try POSIXFile.rename(temporary, to: file)
                } catch {
                    _ = unlink(temporary)
                    throw error
                }
                return
            } catch let error as POSIXFile.Failure where error.errno == ENOENT && attempt < 3 {
                continue
            } catch let error as POSIXFile.Failure where error.errno == EISDIR || error.errno == ENOTDIR || error.errno == EEXIST {
                throw StoreError(.invalidArgument,
                    "cannot write \(url.uri(for: key)): a file store cannot hold both an object and other objects below it as a folder (\(error))")
            } catch let error as POSIXFile.Failure {
                throw ioError(error, key: key)
            }
        }
    }

    public func head(_ key: String) async throws -> ObjectInfo? {
        let file = try path(of: key)
        let found: POSIXFile.Status?
        do {
            found = try POSIXFile.status(file)
        } catch let error as POSIXFile.Failure {
            throw ioError(error, key: key)
        }
        guard let status = found, status.isRegularFile else { return nil }
        return ObjectInfo(size: status.size, etag: "\(status.size)-\(status.modifiedNanoseconds)-\(status.inode)")
    }

    public func delete(_ key: String) async throws {
        let file = try path(of: key)
        if unlink(file) != 0 {
            let code = errno
            if code == ENOENT || code == ENOTDIR || code == EISDIR { return }
            throw ioError(POSIXFile.Failure(operation: "unlink", path: file, errno: code), key: key)
        }
        removeEmptyParents(of: file)
    }

    public func list(prefix: String, delimiter: String?) async throws -> ObjectListing {
        var files: [ObjectSummary] = []
        var rolledUp: [String] = []
        do {
            try walk(directory: root, relative: "", prefix: prefix, delimiter: delimiter,
                     files: &files, rolledUp: &rolledUp)
        } catch let error as POSIXFile.Failure {
            throw StoreError(.io, "listing \(url.uri(for: prefix)): \(error)")
        }
        var listing = ListingRollup.apply(to: files, prefix: prefix, delimiter: delimiter)
        if !rolledUp.isEmpty {
            listing.commonPrefixes = Array(Set(listing.commonPrefixes + rolledUp)).sorted(by: ListingRollup.byteOrder)
        }
        return listing
    }

    public func shutdown() async throws {}

    /// Collects the files that can match `prefix`. With delimiter "/", a folder entirely
    /// below the prefix becomes one common prefix without being walked, so listing the items
    /// of a 100,000-item map node costs one directory read.
    private func walk(directory: String, relative: String, prefix: String, delimiter: String?,
                      files: inout [ObjectSummary], rolledUp: inout [String]) throws {
        for name in try POSIXFile.entries(directory) where !name.hasPrefix(FileStore.temporaryPrefix) {
            let fullPath = directory == "/" ? "/" + name : directory + "/" + name
            let key = relative + name
            guard let status = try POSIXFile.status(fullPath) else { continue }
            if status.isDirectory {
                let folder = key + "/"
                if folder.hasPrefix(prefix) && folder != prefix {
                    if delimiter == "/" {
                        if try POSIXFile.containsFile(fullPath, skipping: FileStore.temporaryPrefix) {
                            rolledUp.append(folder)
                        }
                    } else {
                        try walk(directory: fullPath, relative: folder, prefix: prefix, delimiter: delimiter,
                                 files: &files, rolledUp: &rolledUp)
                    }
                } else if prefix.hasPrefix(folder) {
                    try walk(directory: fullPath, relative: folder, prefix: prefix, delimiter: delimiter,
                             files: &files, rolledUp: &rolledUp)
                }
            } else if status.isRegularFile, key.hasPrefix(prefix) {
                files.append(ObjectSummary(key: key, size: status.size))
            }
        }
    }

    /// S3 has no folders: once the last object below a folder is gone, so is the folder.
    private func removeEmptyParents(of file: String) {
        var directory = String(file[..<file.lastIndex(of: "/")!])
        while directory.count > root.count, directory.hasPrefix(root) {
            if rmdir(directory) != 0 { return }
            directory = String(directory[..<directory.lastIndex(of: "/")!])
        }
    }

    private func ioError(_ error: POSIXFile.Failure, key: String) -> StoreError {
        StoreError(.io, "\(url.uri(for: key)): \(error)")
    }

    private func randomHex() -> String {
        let value = UInt64.random(in: 0...UInt64.max)
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
