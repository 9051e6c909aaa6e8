import CapstanAPI
import Foundation
import Testing
import TestSupport

/// SPEC §14: `capstan ui` against `capstan sim` and `capstan run`, read as a person reads it —
/// in headless Chromium — and followed live through its event stream.
@Suite(.serialized) struct UIBrowserTests {
    /// With CAPSTAN_UI_SCREENSHOTS=DIR, the screenshots are kept there (docs/ui.md's pictures).
    static let screenshotDirectory = ProcessInfo.processInfo.environment["CAPSTAN_UI_SCREENSHOTS"]

    static let finishedSpec = """
        failurePolicy: Continue
        podGC: Never
        defaults: {image: busybox}
        nodes:
          - {name: prepare, podMetadata: {annotations: {sim.capstan.dev/log: "reading s3://data/train.csv\\nrows: 3"}}}
          - {name: train, dependsOn: [prepare], map: {over: [0.1, 0.01, 0.001]}}
          - {name: evaluate, dependsOn: [prepare], podMetadata: {annotations: {sim.capstan.dev/exit-code: "3", sim.capstan.dev/log: "loading model\\nno checkpoint in /data"}}}
          - {name: report, dependsOn: [train, evaluate]}
        """

    @Test func theListAndAWorkflowsGraphReadInABrowser() async throws {
        let chromium = try HeadlessChromium()
        let (sim, ns) = try await EndToEndCluster.shared.namespace("ui")
        try await sim.submit("sweep", namespace: ns, spec: Self.finishedSpec)
        let status = try await sim.waitForWorkflow("sweep", namespace: ns)
        try #require(status.phase == .failed)
        let message = try #require(status.nodes["evaluate"]?.failures.last?.message, "evaluate failed with a message")
        // creationTimestamp counts whole seconds: a second apart, the order is certain.
        try await Task.sleep(for: .milliseconds(1100))
        try await sim.submit("waiting", namespace: ns, spec: """
            defaults: {image: busybox}
            nodes: [{name: hold, podMetadata: {annotations: {sim.capstan.dev/duration: 10m}}}]
            """)

        let ui = try await UIProcess.start(["ui", "--listen", "127.0.0.1:0", "--kubeconfig", sim.kubeconfigPath, "-n", ns])
        let list = try await chromium.dumpDOM(ui.page("/"))
        #expect(list.contains("href=\"/workflows/\(ns)/sweep\""), "\(list)")
        #expect(list.contains("href=\"/workflows/\(ns)/waiting\""))
        #expect(list.contains("2 Workflows, newest first"))
        // Newest first: waiting was submitted after sweep.
        #expect(list.range(of: ">waiting<")!.lowerBound < list.range(of: ">sweep<")!.lowerBound)
        let failedOnly = try await chromium.dumpDOM(ui.page("/?phase=Failed"))
        #expect(failedOnly.contains(">sweep<") && !failedOnly.contains(">waiting<"))

        let graph = try await chromium.dumpDOM(ui.page("/workflows/\(ns)/sweep"), budget: 3000)
        let nodes = Self.graphNodes(graph)
        #expect(nodes.map(\.name) == ["prepare", "train", "evaluate", "report"], "\(graph)")
        #expect(nodes.map(\.phase) == ["Succeeded", "Succeeded", "Failed", "Aborted"], "report never ran: \(nodes)")
        #expect(graph.contains("3/0/0 of 3"), "the map's counts")
        #expect(graph.contains("data-stream=\"ended\""), "a finished Workflow's stream ends and the page stops listening")

        // The node's panel: from the address (rendered by the server) and from the script (#node=).
        for address in ["/workflows/\(ns)/sweep?node=evaluate", "/workflows/\(ns)/sweep#node=evaluate"] {
            let detail = try await chromium.dumpDOM(ui.page(address), budget: 5000)
            let panel = try #require(detail.range(of: "<aside id=\"detail\"").map { String(detail[$0.lowerBound...]) })
            #expect(panel.contains("id=\"detail-title\""), "\(address): \(panel.prefix(400))")
            #expect(panel.contains(Self.escaped(message)), "\(address): the failure message")
            #expect(panel.contains("(exit 3)"))
            #expect(panel.contains("no checkpoint in /data"), "\(address): the pod's log tail")
        }

        for (name, path, size) in [("ui-list", "/", "1280,800"), ("ui-workflow", "/workflows/\(ns)/sweep?node=evaluate", "1280,800"),
                                   ("ui-phone", "/workflows/\(ns)/sweep", "390,844")] {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString).png").path
            try await chromium.screenshot(ui.page(path), to: file, windowSize: size, budget: path == "/" ? nil : 3000)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
            #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) && bytes.count > 10_000, "\(name) is a real picture")
            if let directory = Self.screenshotDirectory {
                let target = URL(fileURLWithPath: directory).appendingPathComponent("\(name).png")
                try? FileManager.default.removeItem(at: target)
                try FileManager.default.moveItem(atPath: file, toPath: target.path)
            } else {
                try? FileManager.default.removeItem(atPath: file)
            }
        }
        #expect(try await ui.stop() == 0, "SIGTERM ends capstan ui cleanly: \(ui.log)")
    }

    @Test func thePageIsToldWhenANodeFinishes() async throws {
        let (sim, ns) = try await EndToEndCluster.shared.namespace("uilive")
        try await sim.submit("steps", namespace: ns, spec: """
            defaults: {image: busybox}
            nodes:
              - {name: first, podMetadata: {annotations: {sim.capstan.dev/duration: 4s}}}
              - {name: second, dependsOn: [first]}
            """)
        let ui = try await UIProcess.start(["ui", "--listen", "127.0.0.1:0", "--kubeconfig", sim.kubeconfigPath, "-n", ns])
        let base = ui.url
        let events = try await Blocking.run { () -> [(name: String, data: String)] in
            let stream = try RawHTTPConnection(base, method: "GET", path: "/workflows/\(ns)/steps/events",
                                               headers: ["Accept": "text/event-stream"], timeout: 60)
            var events: [(name: String, data: String)] = []
            while let event = stream.nextEvent() { events.append(event) }
            return events
        }
        let phases = events.filter { $0.name == "update" }.map { event in Self.graphNodes(event.data).first { $0.name == "first" }?.phase }
        #expect(phases.contains("Running") || phases.contains("Pending"), "\(phases)")
        #expect(phases.last == "Succeeded", "an event came when first finished: \(phases)")
        #expect(events.last?.name == "end" && events.last?.data == "Succeeded", "\(events.map(\.name))")
        #expect(try await ui.stop() == 0, "\(ui.log)")
    }

    /// Each graph node of a page or fragment: (name, phase).
    static func graphNodes(_ html: String) -> [(name: String, phase: String)] {
        let pattern = try! NSRegularExpression(pattern: "<a [^>]*class=\"node [^\"]*\" data-node=\"([^\"]+)\" data-phase=\"([^\"]+)\"")
        return pattern.matches(in: html, range: NSRange(html.startIndex..., in: html)).map {
            (String(html[Range($0.range(at: 1), in: html)!]), String(html[Range($0.range(at: 2), in: html)!]))
        }
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
