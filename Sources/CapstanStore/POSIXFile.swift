#if canImport(Glibc)
import Glibc
private let systemRead = Glibc.read
private let systemWrite = Glibc.write
private let systemRename = Glibc.rename
#elseif canImport(Musl)
import Musl
private let systemRead = Musl.read
private let systemWrite = Musl.write
private let systemRename = Musl.rename
#elseif canImport(Darwin)
import Darwin
private let systemRead = Darwin.read
private let systemWrite = Darwin.write
private let systemRename = Darwin.rename
#endif

/// The few file system calls `FileStore` needs, with errno kept so that "missing" can be told
/// apart from "broken".
enum POSIXFile {
    struct Failure: Error, CustomStringConvertible {
        var operation: String
        var path: String
        var errno: Int32

        var description: String {
            "\(operation) \(path): \(String(cString: strerror(errno)))"
        }
    }

    struct Status {
        var isDirectory: Bool
        var isRegularFile: Bool
        var size: Int
        var modifiedNanoseconds: Int
        var inode: UInt64
    }

    static func read(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Failure(operation: "stat", path: path, errno: errno) }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw Failure(operation: "read", path: path, errno: EISDIR) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(info.st_size))
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(operation: "read", path: path, errno: errno)
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    /// Creates `path` with `bytes` and flushes it to disk, so that the rename that follows
    /// publishes complete contents even after a crash.
    static func write(_ path: String, _ bytes: [UInt8]) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure(operation: "create", path: path, errno: errno) }
        var closed = false
        defer { if !closed { close(fd) } }
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { systemWrite(fd, $0.baseAddress! + offset, $0.count - offset) }
            if count < 0 {
                if errno == EINTR { continue }
                let code = errno
                unlink(path)
                throw Failure(operation: "write", path: path, errno: code)
            }
            offset += count
        }
        if fsync(fd) != 0 {
            let code = errno
            unlink(path)
            throw Failure(operation: "fsync", path: path, errno: code)
        }
        closed = true
        if close(fd) != 0 { throw Failure(operation: "close", path: path, errno: errno) }
    }

    static func rename(_ from: String, to: String) throws {
        if systemRename(from, to) != 0 { throw Failure(operation: "rename", path: to, errno: errno) }
    }

    static func makeDirectories(_ path: String) throws {
        if mkdir(path, 0o755) == 0 { return }
        switch errno {
        case EEXIST:
            guard let status = try status(path), status.isDirectory else {
                throw Failure(operation: "mkdir", path: path, errno: ENOTDIR)
            }
        case ENOENT:
            let parent = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
            guard !parent.isEmpty, parent != path else { throw Failure(operation: "mkdir", path: path, errno: ENOENT) }
            try makeDirectories(parent)
            if mkdir(path, 0o755) != 0 && errno != EEXIST { throw Failure(operation: "mkdir", path: path, errno: errno) }
        default:
            throw Failure(operation: "mkdir", path: path, errno: errno)
        }
    }

    /// nil when nothing exists at `path`.
    static func status(_ path: String) throws -> Status? {
        var info = stat()
        if stat(path, &info) != 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw Failure(operation: "stat", path: path, errno: errno)
        }
        let kind = info.st_mode & S_IFMT
        #if canImport(Darwin)
        let modified = Int(info.st_mtimespec.tv_sec) * 1_000_000_000 + Int(info.st_mtimespec.tv_nsec)
        #else
        let modified = Int(info.st_mtim.tv_sec) * 1_000_000_000 + Int(info.st_mtim.tv_nsec)
        #endif
        return Status(isDirectory: kind == S_IFDIR, isRegularFile: kind == S_IFREG,
                      size: Int(info.st_size), modifiedNanoseconds: modified, inode: UInt64(info.st_ino))
    }

    /// Names in a folder, without `.` and `..`; empty when the folder does not exist.
    static func entries(_ path: String) throws -> [String] {
        guard let directory = opendir(path) else {
            if errno == ENOENT || errno == ENOTDIR { return [] }
            throw Failure(operation: "opendir", path: path, errno: errno)
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Whether any regular file (other than temporaries) lies somewhere below `path`.
    static func containsFile(_ path: String, skipping temporaryPrefix: String) throws -> Bool {
        for name in try entries(path) where !name.hasPrefix(temporaryPrefix) {
            let child = path + "/" + name
            guard let status = try status(child) else { continue }
            if status.isRegularFile { return true }
            if status.isDirectory, try containsFile(child, skipping: temporaryPrefix) { return true }
        }
        return false
    }
}
