import CapstanAPI
import Foundation
import TestSupport

/// The controller image that hack/image.sh builds, read back the way a registry and a
/// container runtime would: skopeo copies the OCI archive to an OCI layout, umoci unpacks it
/// into a runtime bundle (root filesystem and config.json). The result stays in
/// `.build/image-test/` until the next run, to be looked at after a failure.
struct UnpackedImage: Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The archive: $CAPSTAN_IMAGE_ARCHIVE (hack/test.d/image.sh builds it and sets it), else
    /// hack/image.sh's default output.
    let archive: String
    let archiveBytes: Int
    /// The OCI image manifest and image configuration, as stored in the archive.
    let manifest: JSONValue
    let config: JSONValue
    /// The runtime configuration umoci derives from the image configuration.
    let runtimeConfig: JSONValue
    /// The image's root filesystem, all layers applied, and what it held as unpacked
    /// (absolute paths inside it, sorted), before the tests added a /proc to mount.
    let rootfs: URL
    let paths: [String]
    let directory: URL

    /// Unpacked once for every test of the run, off the tests' task threads.
    static func shared() async throws -> UnpackedImage {
        try await unpacking.value
    }

    private static let unpacking = Task { try await Blocking.run { try unpack() } }

    static func archivePath() throws -> String {
        let configured = ProcessInfo.processInfo.environment["CAPSTAN_IMAGE_ARCHIVE"] ?? ""
        let path = configured.isEmpty ? RepositoryLayout.path(".build/capstan-image.tar") : configured
        guard FileManager.default.fileExists(atPath: path) else {
            throw Failure(description: """
                no image archive at \(path): hack/test.sh builds it with hack/image.sh (through \
                hack/test.d/image.sh, which says above the test output why it could not); run \
                hack/image.sh, or set CAPSTAN_IMAGE_ARCHIVE to an archive it built
                """)
        }
        return path
    }

    private static func unpack() throws -> UnpackedImage {
        let archive = try archivePath()
        let skopeo = try DeployTool.skopeo()
        let umoci = try DeployTool.umoci()
        let fileManager = FileManager.default
        let directory = RepositoryLayout.root.appendingPathComponent(".build/image-test")
        try? fileManager.removeItem(at: directory)
        try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)

        let layout = directory.appendingPathComponent("oci").path
        // --insecure-policy: a local copy needs no signature policy (/etc/containers/policy.json).
        let copied = try runProcessBlocking(skopeo, ["--insecure-policy", "copy", "--quiet", "oci-archive:\(archive)", "oci:\(layout):capstan"])
        guard copied.status == 0 else { throw Failure(description: "skopeo could not read the archive:\n\(copied.report)") }
        let bundle = directory.appendingPathComponent("bundle")
        // Unprivileged, umoci cannot give files their owners and must be told so.
        let rootless = geteuid() == 0 ? [] : ["--rootless"]
        let unpacked = try runProcessBlocking(umoci, ["unpack"] + rootless + ["--image", "\(layout):capstan", bundle.path])
        guard unpacked.status == 0 else { throw Failure(description: "umoci could not unpack the image:\n\(unpacked.report)") }

        func json(_ path: String) throws -> JSONValue {
            try JSONValue.parse(try String(contentsOfFile: path, encoding: .utf8))
        }
        func blob(_ descriptor: JSONValue?) throws -> JSONValue {
            guard let digest = descriptor?["digest"]?.stringValue, digest.hasPrefix("sha256:") else {
                throw Failure(description: "a descriptor without a sha256 digest: \(descriptor?.jsonString ?? "none")")
            }
            return try json("\(layout)/blobs/sha256/\(digest.dropFirst("sha256:".count))")
        }
        let index = try json("\(layout)/index.json")
        let manifest = try blob(index["manifests"]?[0])
        let attributes = try fileManager.attributesOfItem(atPath: archive)
        let rootfs = bundle.appendingPathComponent("rootfs")
        var paths: [String] = []
        let enumerator = fileManager.enumerator(atPath: rootfs.path)
        while let relative = enumerator?.nextObject() as? String { paths.append("/" + relative) }
        // The mount point a container runtime creates for /proc.
        try fileManager.createDirectory(at: rootfs.appendingPathComponent("proc"), withIntermediateDirectories: false)
        return UnpackedImage(
            archive: archive,
            archiveBytes: (attributes[.size] as? NSNumber)?.intValue ?? 0,
            manifest: manifest,
            config: try blob(manifest["config"]),
            runtimeConfig: try json(bundle.appendingPathComponent("config.json").path),
            rootfs: rootfs,
            paths: paths.sorted(),
            directory: directory
        )
    }

    func file(_ path: String) throws -> String {
        try String(contentsOfFile: rootfs.path + path, encoding: .utf8)
    }

    /// The program and arguments that run the image's `capstan` as a container runtime would:
    /// the unpacked root as `/`, a /proc mounted in it (the Swift runtime reads the program's
    /// arguments from /proc/self/cmdline) and the image's user. As root (hack/test.sh in CI),
    /// unshare mounts /proc in a mount namespace of its own, changes root and becomes
    /// 65532:65532; unprivileged, a user namespace whose root bind-mounts /proc and changes
    /// root. Either way the program keeps the process id it was started with, so signals
    /// reach `capstan` itself.
    func capstanCommand(_ arguments: [String]) throws -> (executable: String, arguments: [String]) {
        let entrypoint = config.value(at: "config", "Entrypoint")?.stringList ?? []
        guard let program = entrypoint.first, entrypoint.count == 1 else {
            throw Failure(description: "the image's Entrypoint is not one program: \(entrypoint)")
        }
        let unshare = try locateSystemTool("unshare")
        if geteuid() == 0 {
            let user = try imageUser()
            return (unshare, ["--mount-proc=/proc", "--root=\(rootfs.path)", "--setgid=\(user.gid)", "--setuid=\(user.uid)",
                              program] + arguments)
        }
        return (unshare, ["--map-root-user", "--mount", "/bin/sh", "-c",
                          #"mount --rbind /proc "$0/proc" && exec chroot "$0" "$@""#, rootfs.path, program] + arguments)
    }

    /// A script that runs the image's `capstan` as `capstanCommand` does, for starting it
    /// where an executable path is wanted.
    func capstanScript() throws -> String {
        let (executable, arguments) = try capstanCommand([])
        let quoted = ([executable] + arguments)
            .map { "'" + $0.replacingOccurrences(of: "'", with: #"'\''"#) + "'" }.joined(separator: " ")
        let script = directory.appendingPathComponent("capstan-in-image")
        try "#!/bin/sh\nexec \(quoted) \"$@\"\n".write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        return script.path
    }

    /// Hands a file or folder of the root filesystem to the image's user, as a pod's volume
    /// would be writable by it.
    func giveToImageUser(_ path: String) throws {
        guard geteuid() == 0 else { return }
        let user = try imageUser()
        try FileManager.default.setAttributes(
            [.ownerAccountID: Int(user.uid), .groupOwnerAccountID: Int(user.gid)], ofItemAtPath: rootfs.path + path)
    }

    private func imageUser() throws -> (uid: UInt32, gid: UInt32) {
        let user = config.value(at: "config", "User")?.stringValue ?? ""
        let ids = user.split(separator: ":").compactMap { UInt32($0) }
        guard ids.count == 2 else { throw Failure(description: "the image's User is \"\(user)\", not UID:GID") }
        return (ids[0], ids[1])
    }

    private func locateSystemTool(_ name: String) throws -> String {
        for directory in ["/usr/sbin", "/usr/bin", "/sbin", "/bin"] where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
            return "\(directory)/\(name)"
        }
        throw Failure(description: "\(name) (util-linux / coreutils) was not found in /usr/sbin, /usr/bin, /sbin or /bin")
    }
}
