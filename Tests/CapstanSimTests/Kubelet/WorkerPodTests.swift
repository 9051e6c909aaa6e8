import CapstanAPI
import CapstanWorker
import Testing
@testable import CapstanSim

/// Worker pods (SPEC §15) under the scripted kubelet: recognised by their command, run as an
/// in-process worker loop, and stopped with the pod.
@Suite struct WorkerPodTests {
    private let start = KubeletCore.Moment(instant: .now, wallSeconds: 1_800_000_000)

    private func workerPod(annotations: [String: JSONValue] = [:], command: [JSONValue] = ["/capstan/capstan", "worker"]) -> JSONValue {
        [
            "metadata": ["name": "wf-train-w0", "namespace": "default", "uid": "uid-w0", "annotations": .object(annotations),
                         "labels": ["capstan.dev/attempt": "2", "capstan.dev/worker": "0"]],
            "spec": [
                "nodeName": "n0",
                "initContainers": [["name": "capstan-binary", "image": "capstan", "command": ["capstan", "worker", "--install", "/capstan/capstan"]]],
                "containers": [[
                    "name": "main", "image": "python:3.12", "command": .array(command),
                    "env": [["name": "CAPSTAN_DISPATCH_URL", "value": "http://127.0.0.1:9"], ["name": "CAPSTAN_WORKER_TOKEN", "value": "t"]],
                ]],
            ],
            "status": ["phase": "Pending"],
        ]
    }

    private func bound(_ pod: JSONValue) -> BoundPod? { BoundPod.from(pod, owned: { _ in true }, mode: .scripted) }

    @Test func aWorkerPodIsRecognisedByItsCommand() throws {
        let pod = try #require(bound(workerPod(annotations: ["sim.capstan.dev/duration": "2s"])))
        guard case .worker(let worker) = pod.run else {
            Issue.record("expected a worker, got \(pod.run)")
            return
        }
        #expect(worker.script.duration == 2)
        #expect(worker.environment == ["CAPSTAN_DISPATCH_URL": "http://127.0.0.1:9", "CAPSTAN_WORKER_TOKEN": "t"])
        guard case .script = try #require(bound(workerPod(command: ["python", "worker"]))).run else {
            Issue.record("an ordinary pod is scripted")
            return
        }
        guard case .process(let command) = try #require(BoundPod.from(workerPod(), owned: { _ in true }, mode: .process)).run else {
            Issue.record("the process kubelet runs worker pods as processes")
            return
        }
        #expect(ProcessSupervisor.runningWorkers(command.words).first == ProcessSupervisor.ownExecutable)
        #expect(ProcessSupervisor.runningWorkers(command.words).dropFirst() == ["worker"])
        #expect(ProcessSupervisor.runningWorkers(["/bin/echo", "worker"]) == ["/bin/echo", "worker"])
    }

    @Test func theCoreStartsTheLoopAndStopsItWhenThePodIsDeleted() throws {
        var core = KubeletCore(nodeNames: ["n0"])
        let pod = try #require(bound(workerPod()))
        let started = core.handle(.bound(.added(key: pod.key, pod)), at: start)
        #expect(started.contains { if case .startWorker(let reference, _) = $0 { reference.name == "wf-train-w0" } else { false } })
        #expect(started.contains { if case .writeStatus(_, let status, _) = $0 { status["phase"] == "Running" } else { false } })
        let later = KubeletCore.Moment(instant: start.after(3600), wallSeconds: start.wallSeconds + 3600)
        #expect(!core.handle(.timer, at: later).contains { if case .writeStatus = $0 { true } else { false } },
                "no finish timer: the loop decides when the pod ends")

        var deleting = pod
        deleting.terminating = true
        deleting.phase = "Running"
        let ended = core.handle(.bound(.updated(key: pod.key, old: pod, new: deleting)), at: start)
        #expect(ended.contains { if case .stopWorker(let key, let uid) = $0 { key == pod.key && uid == pod.uid } else { false } })
        #expect(ended.contains { if case .writeStatus(_, let status, true) = $0 { status["phase"] == "Failed" } else { false } })
    }

    @Test func theLoopsEndIsTheContainersExit() throws {
        var core = KubeletCore(nodeNames: ["n0"])
        let pod = try #require(bound(workerPod()))
        _ = core.handle(.bound(.added(key: pod.key, pod)), at: start)
        let stopped = core.handle(.workerEnded(key: pod.key, uid: pod.uid, .exited(code: 0, message: nil)), at: start)
        #expect(stopped.contains { if case .writeStatus(_, let status, _) = $0 { status["phase"] == "Succeeded" } else { false } })

        var other = KubeletCore(nodeNames: ["n0"])
        _ = other.handle(.bound(.added(key: pod.key, pod)), at: start)
        let lost = other.handle(.workerEnded(key: pod.key, uid: pod.uid, .nodeLost), at: start)
        #expect(lost.contains { if case .writeStatus(_, let status, _) = $0 { status["reason"] == "NodeLost" } else { false } })
        #expect(lost.contains { if case .stopWorker = $0 { true } else { false } })
    }

    @Test func eachItemAppliesTheScriptToItsOwnIndexAndAttempt() async throws {
        let script = try PodScript(annotations: ["sim.capstan.dev/fail-attempts": "1", "sim.capstan.dev/fail-indexes": "4",
                                                 "sim.capstan.dev/exit-code": "3", "sim.capstan.dev/outputs": #"{"x":1}"#],
                                   labels: ["capstan.dev/attempt": "7"])
        let executor = ScriptedItemExecutor(script: script) { _ in Issue.record("no item ends the pod") }
        func run(index: Int, attempt: Int) async -> ItemResult {
            await executor.run(ItemToRun(name: "i\(index)-\(attempt)", index: index, attempt: attempt, arguments: [], environment: []))
        }
        #expect(await run(index: 0, attempt: 0).exitCode == 3, "attempt 0 is below fail-attempts")
        #expect(await run(index: 0, attempt: 1).exitCode == 0, "the worker's own attempt label does not count")
        #expect(await run(index: 4, attempt: 5).exitCode == 3)
        #expect(await run(index: 2, attempt: 1).outputs == #"{"x":1}"#)
    }

    @Test func aScriptThatEndsThePodEndsTheWorker() async throws {
        let script = try PodScript(annotations: ["sim.capstan.dev/reason": "OOMKilled", "sim.capstan.dev/fail-indexes": "1"], labels: [:])
        let ended = Ended()
        let executor = ScriptedItemExecutor(script: script) { outcome in Task { await ended.set(outcome) } }
        #expect(await executor.run(ItemToRun(name: "a", index: 0, attempt: 0, arguments: [], environment: [])).exitCode == 0)
        let held = Task { await executor.run(ItemToRun(name: "b", index: 1, attempt: 0, arguments: [], environment: [])) }
        var outcome: PodOutcome?
        for _ in 0..<200 where outcome == nil {
            try await Task.sleep(for: .milliseconds(5))
            outcome = await ended.outcome
        }
        #expect(outcome == .oomKilled)
        held.cancel()
        _ = await held.value
    }
}

private actor Ended {
    var outcome: PodOutcome?
    func set(_ value: PodOutcome) { outcome = value }
}
