#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// The Secret items the process kubelet writes as files on this machine (SPEC §13): each
/// written with mode 0600 before its process starts and removed once no running process
/// needs it. Attempts that run at once and want the same file with the same content share
/// it (the items of one map node); a file that is there already and not ours is never
/// overwritten, so that a run cannot destroy a file it did not write.
final class SecretFileRegistry: Sendable {
    struct WriteError: Error, Sendable, CustomStringConvertible {
        var description: String
    }

    private struct Entry: Sendable {
        var content: Data
        var users: Int
        /// Directories made for this file, deepest last, removed with it when empty.
        var directories: [String]
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// Writes (or shares) every file; on any failure releases what it took and throws a
    /// message naming the path. Returns the paths taken, for `release`.
    func acquire(_ files: [(path: String, content: Data)]) throws(WriteError) -> [String] {
        var taken: [String] = []
        for file in files {
            do {
                try acquire(path: file.path, content: file.content)
                taken.append(file.path)
            } catch {
                release(taken)
                throw error
            }
        }
        return taken
    }

    /// Gives back paths from `acquire`; a file no process needs any more is removed.
    func release(_ paths: [String]) {
        for path in paths {
            let removed: Entry? = entries.withLock { entries in
                guard var entry = entries[path] else { return nil }
                entry.users -= 1
                if entry.users > 0 {
                    entries[path] = entry
                    return nil
                }
                entries[path] = nil
                return entry
            }
            guard let removed else { continue }
            unlink(path)
            for directory in removed.directories.reversed() { rmdir(directory) }
        }
    }

    private func acquire(path: String, content: Data) throws(WriteError) {
        try entries.withLock { entries throws(WriteError) in
            if var entry = entries[path] {
                guard entry.content == content else {
                    throw WriteError(description: "cannot write secret file \(path): another running attempt has a different secret there")
                }
                entry.users += 1
                entries[path] = entry
                return
            }
            let directories = try Self.makeParents(of: path)
            do throws(WriteError) {
                try Self.create(path, content)
            } catch {
                for directory in directories.reversed() { rmdir(directory) }
                throw error
            }
            entries[path] = Entry(content: content, users: 1, directories: directories)
        }
    }

    /// Creates the missing directories above `path` (mode 0700); returns them, outermost first.
    private static func makeParents(of path: String) throws(WriteError) -> [String] {
        var missing: [String] = []
        var directory = (path as NSString).deletingLastPathComponent
        while !directory.isEmpty, directory != "/", access(directory, F_OK) != 0 {
            missing.insert(directory, at: 0)
            directory = (directory as NSString).deletingLastPathComponent
        }
        var made: [String] = []
        for directory in missing {
            guard mkdir(directory, 0o700) == 0 else {
                let reason = String(cString: strerror(errno))
                for done in made.reversed() { rmdir(done) }
                throw WriteError(description: "cannot write secret file \(path): cannot create \(directory): \(reason)")
            }
            made.append(directory)
        }
        return made
    }

    private static func create(_ path: String, _ content: Data) throws(WriteError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let reason = errno == EEXIST
                ? "a file is already there (capstan dev writes the secret for the attempt and removes it after; move that file or choose another path)"
                : String(cString: strerror(errno))
            throw WriteError(description: "cannot write secret file \(path): \(reason)")
        }
        defer { close(descriptor) }
        // The mode asked for, whatever the umask.
        fchmod(descriptor, 0o600)
        let written = content.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let count = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                guard count > 0 else { return false }
                offset += count
            }
            return true
        }
        guard written else {
            let reason = String(cString: strerror(errno))
            unlink(path)
            throw WriteError(description: "cannot write secret file \(path): \(reason)")
        }
    }
}
