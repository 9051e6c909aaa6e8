import Testing
@testable import CapstanSim

/// How `sim.capstan.dev/*` annotations select the attempts and items that fail (SPEC §9).
@Suite struct PodScriptTests {
    private func outcome(_ annotations: [String: String], attempt: Int? = nil, index: Int? = nil) throws -> PodOutcome {
        var labels: [String: String] = [:]
        if let attempt { labels["capstan.dev/attempt"] = String(attempt) }
        if let index { labels["capstan.dev/index"] = String(index) }
        return try PodScript(annotations: annotations, labels: labels).outcome
    }

    @Test func withoutSelectionTheExitCodeAndReasonApplyToEveryPod() throws {
        #expect(try outcome([:]) == .exited(code: 0, message: nil))
        #expect(try outcome(["sim.capstan.dev/exit-code": "5"], attempt: 7) == .exited(code: 5, message: nil))
        #expect(try outcome(["sim.capstan.dev/reason": "Evicted"]) == .evicted)
        #expect(try outcome(["sim.capstan.dev/outputs": "{}"]) == .exited(code: 0, message: "{}"))
    }

    @Test func failAttemptsSelectsTheAttemptsBelowN() throws {
        let script = ["sim.capstan.dev/fail-attempts": "2"]
        #expect(try outcome(script, attempt: 0) == .exited(code: 1, message: nil))
        #expect(try outcome(script, attempt: 1) == .exited(code: 1, message: nil))
        #expect(try outcome(script, attempt: 2) == .exited(code: 0, message: nil))
        #expect(try outcome(script) == .exited(code: 1, message: nil), "no attempt label reads as attempt 0")
        #expect(try outcome(script.merging(["sim.capstan.dev/reason": "NodeLost"]) { $1 }, attempt: 1) == .nodeLost)
        #expect(try outcome(script.merging(["sim.capstan.dev/reason": "NodeLost"]) { $1 }, attempt: 2) == .exited(code: 0, message: nil))
    }

    @Test func failIndexesSelectsTheListedItemsOnEveryAttempt() throws {
        let script = ["sim.capstan.dev/fail-indexes": "1, 5", "sim.capstan.dev/exit-code": "3"]
        #expect(try outcome(script, attempt: 4, index: 5) == .exited(code: 3, message: nil))
        #expect(try outcome(script, attempt: 0, index: 2) == .exited(code: 0, message: nil))
        #expect(try outcome(script) == .exited(code: 0, message: nil), "a pod without an index is not an item")
    }

    @Test func malformedAnnotationsNameTheAnnotation() {
        #expect(throws: PodScriptError.self) { try PodScript(annotations: ["sim.capstan.dev/duration": "soon"], labels: [:]) }
        #expect(throws: PodScriptError.self) { try PodScript(annotations: ["sim.capstan.dev/reason": "Crashed"], labels: [:]) }
        #expect(throws: PodScriptError.self) { try PodScript(annotations: ["sim.capstan.dev/fail-indexes": "1,x"], labels: [:]) }
        do {
            _ = try PodScript(annotations: ["sim.capstan.dev/exit-code": "256"], labels: [:])
            Issue.record("an exit code above 255 was accepted")
        } catch {
            #expect(error.description.contains("sim.capstan.dev/exit-code"))
        }
    }

    @Test func kubeExpansionAndTerminationMessageLimits() {
        #expect(ContainerCommand.expand("$(A)-$(B)-$$(A)", ["A": "1"]) == "1-$(B)-$(A)")
        let long = String(repeating: "é", count: 3000)
        let cut = PodStatusBuilder.truncated(long)
        #expect(cut.utf8.count <= 4096)
        #expect(cut.allSatisfy { $0 == "é" })
    }
}
