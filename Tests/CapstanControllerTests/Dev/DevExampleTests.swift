import CapstanAPI
import Foundation
import Testing
import TestSupport

/// Every example in examples/ runs to the end with `capstan dev` and produces its outputs.
@Suite(.serialized)
struct DevExampleTests {
    /// The examples' tasks are sh and python3 scripts.
    init() throws { _ = try ProcessRunner.locate("python3") }

    @Test func helloGreetsAndTheInputCanBeOverridden() async throws {
        let run = try await Dev.run(Dev.example("hello.yaml"))
        #expect(run.exitCode == 0, "\(run.result)")
        #expect(run.outputs?["greeting"] == "hello, world", "\(run.result)")
        #expect(run.workflow?["status"]?["phase"] == "Succeeded")

        let other = try await Dev.run(Dev.example("hello.yaml"), ["--input", "name=capstan"])
        #expect(other.exitCode == 0, "\(other.result)")
        #expect(other.outputs?["greeting"] == "hello, capstan", "\(other.result)")
    }

    @Test func aWorkflowRunsTheTemplateInTheSameFile() async throws {
        let run = try await Dev.run(Dev.example("template.yaml"))
        #expect(run.exitCode == 0, "\(run.result)")
        #expect(run.outputs?["text"] == "echo echo echo", "the Workflow's times over the template's: \(run.result)")
        #expect(run.workflow?["status"]?["templateSpec"]?["inputs"]?["times"] == 2, "the template as read is kept")

        let validated = try await ProcessRunner.run(try CapstanBinary.path(), ["validate", Dev.example("template.yaml")])
        #expect(validated.stdout.hasSuffix("valid (1 workflow, 1 workflowtemplate, 2 nodes)\n"), "\(validated)")
    }

    @Test func aDynamicLoopRunsUntilItsConditionHolds() async throws {
        let run = try await Dev.run(Dev.example("dynamic-loop.yaml"))
        #expect(run.exitCode == 0, "\(run.result)")
        #expect(run.outputs == ["result": 0.625, "iterations": 6], "40 halved six times: \(run.result)")
    }

    @Test func aDynamicAgentPlansItsStepsAndRunsThemWithAMap() async throws {
        let run = try await Dev.run(Dev.example("dynamic-agent.yaml"))
        #expect(run.exitCode == 0, "\(run.result)")
        #expect(run.outputs == ["steps": 3, "words": 10], "\(run.result)")
    }

    @Test func aSweepRunsEachTrialAsASubWorkflow() async throws {
        let run = try await Dev.run(Dev.example("sweep.yaml"))
        #expect(run.exitCode == 0, "\(run.result)")
        #expect(run.outputs == ["bestScore": 0.9091, "bestLearningRate": 0.01], "\(run.result)")
        #expect(run.node("trials")?["map"]?["succeeded"] == 4)
        // Progress counts the trials' child Workflows; the summary (on stderr with --output
        // json) shows each trial indented under the map node, with its own nodes.
        let lines = run.stderr.components(separatedBy: "\n")
        #expect(lines.contains { $0.hasPrefix("sweep: Succeeded · ") && $0.contains(" · child workflows 4/4 done · ") }, "\(run.stderr)")
        let trials = try #require(lines.firstIndex { $0.hasPrefix("  trials ") }, "\(run.stderr)")
        let best = try #require(lines.firstIndex { $0.hasPrefix("  best ") }, "\(run.stderr)")
        let tree = lines[(trials + 1)..<best]
        #expect(tree.filter { $0.hasPrefix("    child sweep-") && $0.contains(" Succeeded in ") }.count == 4, "\(run.stderr)")
        for node in ["prep", "train", "eval"] {
            #expect(tree.filter { $0.hasPrefix("        \(node) ") && $0.contains("Succeeded") }.count == 4, "\(run.stderr)")
        }
    }

    @Test func diamondPassesDataAlongBothBranches() async throws {
        let run = try await Dev.run(Dev.example("diamond.yaml"))
        #expect(run.exitCode == 0, "\(run.result)")
        #expect(run.outputs == ["squares": 50, "cubes": 216, "total": 266], "\(run.result)")

        let other = try await Dev.run(Dev.example("diamond.yaml"), ["--input", "numbers=[1,2]"])
        #expect(other.outputs?["total"] == 14, "\(other.result)")
    }

    @Test func mapToleratesOneFailedItem() async throws {
        let run = try await Dev.run(Dev.example("map.yaml"))
        #expect(run.exitCode == 0, "\(run.result)")
        #expect(run.outputs?["sum"] == 336, "\(run.result)")
        #expect(run.outputs?["succeeded"] == 9)
        let squares = run.outputs?["squares"]?.arrayValue ?? []
        #expect(squares.count == 10)
        #expect(squares.first == 1)
        #expect(squares.count == 10 && squares[6].isNull, "item 7 failed, so its output is null: \(squares)")
        let map = run.node("square")?["map"]
        #expect(map?["succeeded"] == 9 && map?["failed"] == 1, "\(String(describing: map))")
    }

    /// The real `capstan worker` under the process kubelet: forty items on three worker
    /// processes, each item an attempt of its own, item 13 retried after its first attempt fails.
    @Test func mapOnWorkersRunsEveryItemOnceInThreeWorkerPods() async throws {
        let run = try await Dev.run(Dev.example("map-workers.yaml"))
        #expect(run.exitCode == 0, "\(run.result)")
        #expect(run.outputs == ["sum": 608_400, "count": 40], "the cubes of 0…39: \(run.result)")
        let logs = run.logs(workflow: "map-workers", node: "cube")
        #expect(logs.count == 3 && logs.allSatisfy { $0.contains("-w") }, "three worker pods, no pod per item: \(logs)")
        let text = logs.compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }.joined()
        let started = text.split(separator: "\n").filter { $0.hasPrefix("capstan worker: item ") && $0.hasSuffix(" started") }
        #expect(started.count == 41, "40 items and item 13's retry: \(started.count)")
        #expect(Set(started).count == started.count, "no attempt started twice")
        #expect(text.contains("(index 13, attempt 0) exited with code 3") && text.contains("(index 13, attempt 1) exited with code 0"),
                "\(text.suffix(2000))")
        #expect(run.node("cube")?["failures"]?[0]?["reason"] == "Error")
    }

    @Test func aLargeListGoesFromNodeToNodeByReference() async throws {
        let run = try await Dev.run(Dev.example("large-data.yaml"))
        #expect(run.exitCode == 0, "\(run.result)")
        #expect(run.outputs?["count"] == 300_000, "\(run.result)")
        #expect(run.outputs?["sum"] == 44_999_850_000)
        let logs = run.logs(workflow: "large-data", node: "total").compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }.joined()
        #expect(logs.contains("inputs read from the store"), "\(logs)")
    }

    @Test func retriesAFlakyTaskAndResumesFromTheCheckpoint() async throws {
        let run = try await Dev.run(Dev.example("retry-checkpoint.yaml"))
        #expect(run.exitCode == 0, "\(run.result)")
        #expect(run.outputs?["flakyAttempt"] == 2, "\(run.result)")
        #expect(run.outputs?["resumedAfter"] == 3, "\(run.result)")
        #expect(run.node("flaky")?["attempts"] == 3)
        #expect(run.node("train")?["attempts"] == 2)
        let trainLogs = run.logs(workflow: "retry-checkpoint", node: "train")
        #expect(trainLogs.count == 2, "one log per attempt: \(trainLogs)")
        let retryLog = trainLogs.compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }.joined()
        #expect(retryLog.contains("attempt 1: resuming after epoch 3"), "\(retryLog)")
        #expect(!retryLog.contains("attempt 1: epoch 1 done"), "the retry must not redo finished epochs: \(retryLog)")
    }

    @Test func theSecondRunOfTheCacheExampleRunsNoPodForTheCachedNode() async throws {
        let store = try Dev.newStore()
        let first = try await Dev.run(Dev.example("cache.yaml"), store: store)
        #expect(first.exitCode == 0, "\(first.result)")
        #expect(first.outputs?["sum"] == 332_833_500, "\(first.result)")
        #expect(first.node("slow")?["cached"] != true)
        #expect(first.logs(workflow: "cache", node: "slow").count == 1)

        let second = try await Dev.run(Dev.example("cache.yaml"), store: store)
        #expect(second.exitCode == 0, "\(second.result)")
        #expect(second.outputs?["sum"] == 332_833_500, "\(second.result)")
        #expect(second.node("slow")?["cached"] == true, "\(second.result)")
        #expect(second.node("slow")?["attempts"] ?? 0 == 0)
        #expect(second.logs(workflow: "cache", node: "slow").count == 1, "no new attempt ran for the cached node")
        #expect(second.logs(workflow: "cache", node: "report").count == 2, "the uncached node ran again")
    }

    @Test func secretsReachTheTaskAsAVariableAndAFileThatIsRemovedAfterIt() async throws {
        let file = "/tmp/capstan-secrets-example/api-token"
        let run = try await Dev.run(Dev.example("secrets.yaml"), ["--secret", "api=token=example-token"])
        #expect(run.exitCode == 0, "\(run.result)")
        #expect(run.outputs == ["passwordLength": 19, "tokenLength": 13, "fileMode": "0o600"], "\(run.result)")
        let log = run.logs(workflow: "secrets", node: "connect").compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }.joined()
        #expect(log.contains("DB_URL holds the password: True"), "\(log)")
        #expect(!FileManager.default.fileExists(atPath: file), "the secret file is removed after the attempt")

        let without = try await Dev.run(Dev.example("secrets.yaml"))
        #expect(without.exitCode == 1, "\(without.result)")
        #expect(without.stderr.contains("ConfigError") && without.stderr.contains("secret \"api\" not found"), "\(without.stderr)")
    }

    @Test func whenPicksOneBranchAndTheInputFlipsIt() async throws {
        let run = try await Dev.run(Dev.example("when.yaml"))
        #expect(run.exitCode == 0, "\(run.result)")
        #expect(run.node("publish")?["phase"] == "Succeeded", "\(run.result)")
        #expect(run.node("retrain")?["phase"] == "Skipped")
        #expect(run.node("notify")?["phase"] == "Succeeded")
        #expect(run.outputs?["accuracy"] == 0.93)

        let low = try await Dev.run(Dev.example("when.yaml"), ["--input", "score=0.5"])
        #expect(low.exitCode == 0, "\(low.result)")
        #expect(low.node("publish")?["phase"] == "Skipped", "\(low.result)")
        #expect(low.node("retrain")?["phase"] == "Succeeded")
        #expect(low.outputs?["accuracy"] == 0.5)
    }
}
