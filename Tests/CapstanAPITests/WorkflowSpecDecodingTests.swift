import Testing
@testable import CapstanAPI

@Suite struct WorkflowSpecDecodingTests {
    func decode(_ yaml: String) throws -> (WorkflowSpec?, [Diagnostic]) {
        let docs = try YAMLDocuments.load(yaml)
        return WorkflowSpec.decode(try #require(docs.first))
    }

    @Test func decodesTheSpecExample() throws {
        let (spec, problems) = try decode("""
            inputs: {dataset: s3://d/raw.parquet, rates: [0.1, 0.01]}
            defaults: {image: python:3.12-slim, retries: 2, timeout: 2h, resources: {requests: {cpu: "1", memory: 2Gi}}}
            parallelism: 100
            failurePolicy: Continue
            activeDeadline: 24h
            podGC: Never
            outputs: {best: "{{ nodes.pick.outputs.best }}"}
            nodes:
              - name: train
                map: {over: "{{ inputs.rates }}", concurrency: 10, minSuccessRatio: 0.8}
                command: [python, train.py]
                resources: {limits: {nvidia.com/gpu: 1}}
                retryBackoff: {initial: 1s, factor: 3, max: 1m}
                cache: {version: "1"}
                podMetadata: {labels: {team: ml}}
            """)
        #expect(problems.isEmpty)
        let s = try #require(spec)
        #expect(s.parallelism == 100)
        #expect(s.failurePolicy == .continue)
        #expect(s.podGC == .never)
        #expect(s.activeDeadline?.seconds == 86_400)
        #expect(s.nodes[0].map?.concurrency == 10)
        #expect(s.nodes[0].settings.resources?.gpuResources == ["nvidia.com/gpu"])
        let effective = s.nodes[0].settings.inheriting(from: s.defaults)
        #expect(effective.image == "python:3.12-slim")
        #expect(effective.retries == 2)
        #expect(effective.retryBackoff?.delay(afterFailures: 3) == 9)
        #expect(effective.retryBackoff?.delay(afterFailures: 10) == 60)
    }

    @Test func reportsEveryProblemWithItsPath() throws {
        let (spec, problems) = try decode("""
            parallelism: 0
            failurePolicy: Sometimes
            colour: blue
            nodes:
              - name: a
                timeout: 5 minutes
                resources: {requests: {cpu: lots}}
                retries: "3"
                extra: 1
              - command: [echo]
            """)
        #expect(spec == nil)
        let paths = Set(problems.map(\.path))
        #expect(paths == [
            "spec.parallelism", "spec.failurePolicy", "spec.colour", "spec.nodes[0].timeout",
            "spec.nodes[0].resources.requests.cpu", "spec.nodes[0].retries", "spec.nodes[0].extra",
            "spec.nodes[1].name",
        ])
        #expect(problems.contains { $0.message.contains("\"Sometimes\" is not one of FailFast, Continue") })
        #expect(problems.contains { $0.message == "unknown field \"colour\"" })
    }

    @Test func yamlOneOneBooleansAreReadAsKubectlReadsThem() throws {
        let (_, problems) = try decode("nodes: [{name: a, image: x, outputs: [y, model]}]")
        #expect(problems == [Diagnostic(path: "spec.nodes[0].outputs[0]", message: "must be a string, not a boolean")])
        #expect(try YAMLDocuments.load("[\"y\", on, No, 'off']")[0] == ["y", true, false, "off"])
    }

    @Test func wrongTypesAreLocatedNotFatal() throws {
        let (_, problems) = try decode("nodes: {a: 1}")
        #expect(problems == [Diagnostic(path: "spec.nodes", message: "must be a list, not a object")])
    }
}

@Suite struct StatusEncodingTests {
    @Test func statusRoundTripsThroughJSON() throws {
        var status = WorkflowStatus()
        status.phase = .running
        status.startedAt = Timestamp(secondsSince1970: 1_700_000_000)
        var node = NodeStatus(phase: .running)
        node.attempts = 2
        node.userFailures = 1
        node.recordFailure(AttemptFailure(attempt: 0, reason: .oomKilled, exitCode: 137, finishedAt: Timestamp(secondsSince1970: 1_700_000_010)))
        var map = MapStatus(total: 10)
        map.items[3] = .succeeded
        map.items[4] = .running
        map.retrying[4] = ItemRetry(failures: 1, systemFailures: 1)
        node.map = map
        status.nodes["train"] = node
        let decoded = WorkflowStatus(json: try JSONValue.parse(status.json.serialized()))
        #expect(decoded == status)
        #expect(decoded.nodes["train"]?.map?.succeeded == 1)
    }

    @Test func hundredThousandItemMapStaysSmall() {
        var map = MapStatus(total: 100_000)
        var rng = SystemRandomNumberGenerator()
        for i in 0..<100_000 { map.items[i] = ItemPhase(rawValue: UInt8.random(in: 0...3, using: &rng))! }
        #expect(map.json.serialized().count < 40_000)
        let decoded = MapStatus(json: map.json)
        #expect(decoded?.items == map.items)
    }

    @Test func runsEncodeCompactly() {
        var phases = ItemPhases(count: 1_000_000)
        for i in 0..<600_000 { phases[i] = .succeeded }
        for i in 600_000..<650_000 { phases[i] = .running }
        // Long runs encode in a few bytes whatever the exact format.
        #expect(phases.encoded.utf8.count < 64)
        #expect(ItemPhases(encoded: phases.encoded, count: 1_000_000) == phases)
        #expect(ItemPhases(encoded: "", count: 6) == nil)
    }

    @Test func manyShortRunsStayUnderBudgetAtAMillionItems() {
        // The layout a huge map reaches: a window where every other item still runs.
        var phases = ItemPhases(count: 1_000_000)
        for i in 0..<500_000 { phases[i] = .succeeded }
        for k in 0..<50_000 { phases[500_000 + 2 * k] = .running; phases[500_000 + 2 * k + 1] = .succeeded }
        let text = phases.encoded
        #expect(text.hasPrefix("v"))
        #expect(text.utf8.count < 150_000)
        #expect(ItemPhases(encoded: text, count: 1_000_000) == phases)
        #expect(phases.count(of: .running) == 50_000)
        #expect(phases.indexes(in: .running).count == 50_000)
        #expect(phases.firstIndex(of: .running, from: 500_001) == 500_002)
        #expect(phases.firstIndex(of: .pending, from: 0) == 600_000)
        // A run that ends mid-word decodes back exactly, and damaged text is refused.
        #expect(ItemPhases(encoded: String(text.dropLast(8)), count: 1_000_000) == nil)
    }

    @Test func scansFindItemsAtWordEdgesAndInTheTail() {
        var phases = ItemPhases(count: 70)
        for i in [0, 31, 32, 63, 64, 69] { phases[i] = .failed }
        #expect(phases.indexes(in: .failed) == [0, 31, 32, 63, 64, 69])
        #expect(phases.firstIndex(of: .failed, from: 65) == 69)
        #expect(phases.firstIndex(of: .failed, from: 70) == nil)
        // Padding slots past the last item are never reported as pending items.
        for i in 65..<69 { phases[i] = .succeeded }
        for i in 1..<31 { phases[i] = .succeeded }
        for i in 33..<63 { phases[i] = .succeeded }
        #expect(phases.firstIndex(of: .pending, from: 0) == nil)
        var runs: [String] = []
        phases.forEachRun { phase, length in runs.append("\(phase.rawValue):\(length)") }
        #expect(runs == ["3:1", "2:30", "3:2", "2:30", "3:2", "2:4", "3:1"])
    }
}
