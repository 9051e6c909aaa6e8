import Foundation

/// An external program a deployment test needs and could not find.
struct MissingToolError: Error, CustomStringConvertible {
    let description: String
}

/// The programs the deployment tests drive, found the way hack/test.sh provides them.
enum DeployTool {
    /// `helm` v3: $CAPSTAN_HELM, else PATH, else hack/.tools/bin (where hack/test.d/helm.sh puts it).
    static func helm() throws -> String {
        try locate("helm", environment: "CAPSTAN_HELM", installedBy: "hack/test.d/helm.sh")
    }

    /// `promtool`: $CAPSTAN_PROMTOOL, else PATH (Debian's `prometheus` package, see hack/test.d/promtool.sh).
    static func promtool() throws -> String {
        try locate("promtool", environment: "CAPSTAN_PROMTOOL", installedBy: "hack/test.d/promtool.sh")
    }

    /// `kubectl`, whose built-in kustomize renders config/: $CAPSTAN_KUBECTL, else PATH.
    static func kubectl() throws -> String {
        try locate("kubectl", environment: "CAPSTAN_KUBECTL", installedBy: "the machine setup (kubectl 1.32)")
    }

    /// `skopeo`, which copies the image archive to an OCI layout: $CAPSTAN_SKOPEO, else PATH.
    static func skopeo() throws -> String {
        try locate("skopeo", environment: "CAPSTAN_SKOPEO", installedBy: "hack/test.d/image.sh")
    }

    /// `umoci`, which unpacks an OCI layout into a root filesystem: $CAPSTAN_UMOCI, else PATH.
    static func umoci() throws -> String {
        try locate("umoci", environment: "CAPSTAN_UMOCI", installedBy: "hack/test.d/image.sh")
    }

    private static func locate(_ name: String, environment variable: String, installedBy installer: String) throws -> String {
        let fileManager = FileManager.default
        if let configured = ProcessInfo.processInfo.environment[variable], !configured.isEmpty {
            guard fileManager.isExecutableFile(atPath: configured) else {
                throw MissingToolError(description: "\(variable)=\(configured) is not an executable file")
            }
            return configured
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        var candidates = path.split(separator: ":").map { "\($0)/\(name)" }
        candidates.append(RepositoryLayout.root.appendingPathComponent("hack/.tools/bin/\(name)").path)
        if let found = candidates.first(where: { fileManager.isExecutableFile(atPath: $0) }) {
            return found
        }
        throw MissingToolError(description: """
            \(name) was not found: set \(variable) to its path or put it on PATH. \
            hack/test.sh installs it through \(installer).
            """)
    }
}

/// Paths inside the repository, found from this file's location so tests run from any directory.
enum RepositoryLayout {
    static let root: URL = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory
            }
            directory.deleteLastPathComponent()
        }
        fatalError("no Package.swift above \(#filePath)")
    }()

    static func path(_ relative: String) -> String {
        root.appendingPathComponent(relative).path
    }
}
