import Foundation

/// Where the `capstan` executable under test is: `CAPSTAN_BIN`, else `.build/debug/capstan`
/// in the package root.
public enum CapstanBinary {
    /// The CRD files of config/crd (and charts/capstan/crds), one per resource.
    public static let crdFiles = ["capstan.dev_workflows.yaml", "capstan.dev_workflowtemplates.yaml", "capstan.dev_cronworkflows.yaml"]

    public static var packageRoot: URL {
        // This file is Tests/TestSupport/CapstanBinary.swift.
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// A release build, for tests whose load a debug build cannot carry in reasonable time
    /// (tens of thousands of pods): `CAPSTAN_RELEASE_BIN` (hack/test.sh builds and sets it),
    /// else `.build/release/capstan`.
    public static func releasePath() throws -> String {
        try locate(variable: "CAPSTAN_RELEASE_BIN", build: "release",
                   missing: "no release build of capstan: run hack/test.sh, or hack/build-release.sh")
    }

    public static func path() throws -> String {
        try locate(variable: "CAPSTAN_BIN", build: "debug",
                   missing: "no capstan binary: set CAPSTAN_BIN or run `swift build --product capstan`")
    }

    private static func locate(variable: String, build: String, missing: String) throws -> String {
        if let configured = ProcessInfo.processInfo.environment[variable], !configured.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: configured) else {
                throw ProcessRunnerError(description: "\(variable)=\(configured) is not an executable file")
            }
            return configured
        }
        let fallback = packageRoot.appendingPathComponent(".build/\(build)/capstan").path
        guard FileManager.default.isExecutableFile(atPath: fallback) else {
            throw ProcessRunnerError(description: "\(missing) (looked for \(fallback))")
        }
        return fallback
    }
}
