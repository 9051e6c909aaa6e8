import Testing
import CapstanAPI
@testable import CapstanEngine

/// SPEC §13: `--log-link` templates become links per attempt, in the node and in each failure.
@Suite struct EngineLogLinkTests {
    private static let loki = try! LogLinkTemplate(
        parsing: "loki=https://grafana.example/explore?pod={pod}&ns={namespace}&node={node}&c={container}&from={startedAt}&to={finishedAt}")

    @Test func eachAttemptAndFailureLinksToItsOwnPodsLogs() throws {
        var h = try EngineHarness("defaults: {image: busybox}\nnodes: [{name: flaky, retries: 1, retryBackoff: {initial: 1s}}]")
        h.engine.config.logLinks = [Self.loki]
        h.script = { _, _, attempt in attempt == 0 ? .init(outcome: .failed, exitCode: 1) : .init() }
        #expect(h.runToCompletion().phase == .succeeded)
        let first = try #require(h.created.first?.request.name)
        let second = try #require(h.created.last?.request.name)
        let failure = try #require(h.node("flaky").failures.first)
        let failedLink = try #require(failure.logLinks["loki"])
        #expect(failedLink.contains("pod=\(first)&ns=ml&node=flaky&c=main&from="))
        #expect(!failedLink.hasSuffix("to="), "a finished attempt has its end time")
        let link = try #require(h.node("flaky").logLinks["loki"])
        #expect(link.contains("pod=\(second)&"))
        // Links survive the status round trip through JSON.
        #expect(NodeStatus(json: h.node("flaky").json).logLinks == h.node("flaky").logLinks)
        #expect(NodeStatus(json: h.node("flaky").json).failures.first?.logLinks == failure.logLinks)
    }

    @Test(arguments: ["no-equals-sign", "=https://x/{pod}", "x=https://x/{pod", "x=https://x/{podName}"])
    func badTemplatesAreRefusedWithTheReason(_ text: String) {
        #expect(throws: LogLinkError.self) { _ = try LogLinkTemplate(parsing: text) }
    }

    @Test func withoutLinksTheStatusHasNone() throws {
        var h = try EngineHarness("defaults: {image: busybox}\nnodes: [{name: t}]")
        h.runToCompletion()
        #expect(h.node("t").logLinks.isEmpty)
        #expect(h.node("t").json["logLinks"] == nil)
    }
}
