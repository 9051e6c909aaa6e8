import Foundation

/// Debian's Chromium run headless, as the web UI's browser tests use it: load a page, run its
/// script, and print the resulting DOM or save a screenshot. hack/test.d/chromium.sh installs
/// it and sets CAPSTAN_CHROMIUM; without it the tests fail rather than skip.
public struct HeadlessChromium: Sendable {
    public let path: String

    public init() throws {
        if let path = ProcessInfo.processInfo.environment["CAPSTAN_CHROMIUM"], FileManager.default.isExecutableFile(atPath: path) {
            self.path = path
            return
        }
        do {
            path = try ProcessRunner.locate("chromium")
        } catch {
            throw ProcessRunnerError(description: "chromium is not installed: run hack/test.sh, which installs Debian's chromium package")
        }
    }

    /// The DOM once the page has loaded; with `budget`, after its scripts ran for that many
    /// milliseconds of virtual time (so a request made on load has answered). Virtual time
    /// stands still while a request is open, so no budget for a page whose event stream stays open.
    public func dumpDOM(_ url: String, budget: Int? = nil, windowSize: String = "1280,800") async throws -> String {
        let result = try await run(["--dump-dom", "--window-size=\(windowSize)"] + Self.budget(budget) + [url])
        guard result.exitCode == 0, !result.stdout.isEmpty else {
            throw ProcessRunnerError(description: "chromium --dump-dom \(url) failed: \(result)")
        }
        return result.stdout
    }

    /// Saves a PNG of the page at `windowSize` (`WIDTH,HEIGHT`) to `file`.
    public func screenshot(_ url: String, to file: String, windowSize: String = "1280,800", budget: Int? = nil) async throws {
        let result = try await run(["--screenshot=\(file)", "--hide-scrollbars", "--window-size=\(windowSize)"] + Self.budget(budget) + [url])
        guard result.exitCode == 0, FileManager.default.fileExists(atPath: file) else {
            throw ProcessRunnerError(description: "chromium --screenshot \(url) failed: \(result)")
        }
    }

    private static func budget(_ milliseconds: Int?) -> [String] {
        milliseconds.map { ["--virtual-time-budget=\($0)"] } ?? []
    }

    private func run(_ arguments: [String]) async throws -> ProcessResult {
        // A profile of its own per run: runs in parallel would otherwise fight over one.
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        // --no-sandbox: the tests run as root in CI, where Chromium's sandbox refuses to start.
        return try await ProcessRunner.run(path, ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                                  "--disable-extensions", "--user-data-dir=\(profile.path)"] + arguments,
                                           timeout: 90)
    }
}
