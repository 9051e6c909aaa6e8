import Foundation
import Testing
import TestSupport

/// `capstan dev --ui`: the web UI follows the local run, and stays up after it until Ctrl-C.
@Suite struct DevUITests {
    @Test func theWebUIShowsTheLocalRunAndOutlivesIt() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-dev-ui-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("hello.yaml").path
        try """
            apiVersion: capstan.dev/v1alpha1
            kind: Workflow
            metadata: {name: hello}
            spec:
              defaults: {image: busybox}
              nodes:
                - {name: a, command: [sh, -c, "echo hi"]}
                - {name: b, dependsOn: [a], command: [sh, -c, "echo bye"]}
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let dev = try await UIProcess.start(["dev", file, "--ui", "--store", folder.appendingPathComponent("store").path])
        let finished = try await poll(timeout: .seconds(60), interval: .milliseconds(200)) { () async throws -> HTTPResult? in
            let page = try await RawHTTP.request(dev.url, "GET", "/workflows/default/hello")
            return page.text.contains("data-node=\"b\" data-phase=\"Succeeded\"") ? page : nil
        }
        #expect(finished != nil, "\(dev.log)")
        #expect(await eventually(timeout: .seconds(30)) { dev.log.contains("stays up at \(dev.url.absoluteString)") }, "\(dev.log)")
        #expect(dev.isRunning, "the UI outlives the run")
        #expect(try await RawHTTP.request(dev.url, "GET", "/").text.contains("href=\"/workflows/default/hello\""))
        #expect(try await dev.stop() == 0, "Ctrl-C ends it with the run's exit code: \(dev.log)")
    }
}
