import Testing
import CapstanAPI
@testable import CapstanEngine

/// SPEC §10: what a real kubelet says about a pod that cannot start, or that a sidecar keeps running.
@Suite struct EngineKubeletAnswerTests {
    @Test func aMissingSecretFailsTheAttemptWithConfigErrorAfterTheConfiguredWait() throws {
        var h = try EngineHarness("defaults: {image: busybox}\nnodes: [{name: t, retries: 1}]")
        h.engine.config.classifier.configErrorTimeout = 60
        h.script = { _, _, attempt in
            attempt == 0 ? .init(waiting: ("CreateContainerConfigError", #"secret "db" not found"#)) : .init()
        }
        _ = h.reconcile()
        h.advance(by: 59)
        _ = h.reconcile()
        #expect(h.node("t").failures.isEmpty, "still within --config-error-timeout")
        h.advance(by: 1)
        let result = h.reconcile()
        let failure = try #require(h.node("t").failures.first)
        #expect(failure.reason == .configError)
        #expect(failure.message?.contains(#"secret "db" not found"#) == true)
        #expect(h.node("t").userFailures == 1, "a configuration mistake is the user's")
        #expect(h.deleted.count == 1, "the waiting pod is stopped")
        #expect(result.status.phase == .running)
        #expect(h.runToCompletion().phase == .succeeded)
    }

    @Test func aSecretFileThatCannotBeMountedFailsWithConfigErrorAfterTheConfiguredWait() throws {
        var h = try EngineHarness("defaults: {image: busybox}\nnodes: [{name: t}]")
        h.engine.config.classifier.configErrorTimeout = 60
        let mount = #"MountVolume.SetUp failed for volume "capstan-secrets" : secret "tls" not found"#
        h.script = { _, _, _ in .init(waiting: ("ContainerCreating", ""), mountFailure: mount) }
        _ = h.reconcile()
        let observed = h.reconcile()
        #expect(observed.requeueAfter == 60, "woken when the wait is over, not polled")
        h.advance(by: 59)
        _ = h.reconcile()
        #expect(h.node("t").failures.isEmpty, "within --config-error-timeout a Secret created late is still mounted")
        h.advance(by: 1)
        _ = h.reconcile()
        let failure = try #require(h.node("t").failures.first)
        #expect(failure.reason == .configError)
        #expect(failure.message == "the pod's volumes could not be mounted for 1m: \(mount)")
    }

    @Test func aPodPullingItsImageIsNotAMountFailure() throws {
        var h = try EngineHarness("defaults: {image: busybox}\nnodes: [{name: t}]")
        h.engine.config.classifier.configErrorTimeout = 60
        h.script = { _, _, _ in .init(duration: 600, waiting: ("ContainerCreating", "")) }
        _ = h.reconcile()
        h.advance(by: 300)
        _ = h.reconcile()
        #expect(h.node("t").failures.isEmpty, "ContainerCreating alone may be a long image pull")
    }

    @Test func anImageThatNeverPullsFailsWithImagePullBackOffAfterTheConfiguredWait() throws {
        var h = try EngineHarness("defaults: {image: nope}\nnodes: [{name: t}]")
        h.engine.config.classifier.imagePullTimeout = 120
        h.script = { _, _, _ in .init(waiting: ("ImagePullBackOff", #"Back-off pulling image "nope""#)) }
        let status = h.runToCompletion(limit: 500)
        #expect(status.phase == .failed)
        let failure = try #require(h.node("t").failures.first)
        #expect(failure.reason == .imagePullBackOff)
        #expect(failure.message == #"Back-off pulling image "nope""#)
        #expect(failure.finishedAt.secondsSince1970 - h.created[0].at >= 120)
    }

    @Test(arguments: [PodGCPolicy.never, .onSuccess])
    func aSidecarPodEndsWithMainAndIsDeleted(podGC: PodGCPolicy) throws {
        var h = try EngineHarness("""
            defaults: {image: busybox}
            podGC: \(podGC.rawValue)
            nodes: [{name: t, outputs: [count]}, {name: fan, map: {over: [1, 2]}}]
            """)
        h.script = { _, _, _ in .init(duration: 3, outputs: ["count": 1], sidecar: true) }
        let status = h.runToCompletion()
        #expect(status.phase == .succeeded, "\(status.message ?? "")")
        #expect(h.node("t").attempts == 1)
        #expect(status.finishedAt!.secondsSince1970 - h.created[0].at < 10, "ended with main, not a timeout")
        _ = h.reconcile()
        #expect(h.pods.isEmpty, "every pod kept running by a sidecar is deleted, podGC \(podGC.rawValue) or not")
    }

    @Test func aSidecarPodWhoseMainFailedRetries() throws {
        var h = try EngineHarness("defaults: {image: busybox}\nnodes: [{name: t, retries: 1, retryBackoff: {initial: 1s}}]")
        h.script = { _, _, attempt in attempt == 0 ? .init(outcome: .failed, exitCode: 2, sidecar: true) : .init() }
        #expect(h.runToCompletion().phase == .succeeded)
        #expect(h.node("t").failures.map(\.reason) == [.error])
        #expect(h.node("t").failures.first?.exitCode == 2)
        #expect(h.deleted.contains(h.created[0].request.name))
    }

    @Test func outputsTooLargeForATerminationMessageSayWhatToDo() throws {
        var h = try EngineHarness("defaults: {image: busybox}\nnodes: [{name: t, outputs: [big]}]")
        // The kubelet keeps the last 4096 bytes of a longer message: no longer JSON.
        let cut = String(repeating: "7,", count: 2048)
        h.script = { _, _, _ in .init(outputs: .string(cut)) }
        h.runToCompletion()
        let failure = try #require(h.node("t").failures.first)
        #expect(failure.reason == .outputsMissing)
        let message = try #require(failure.message)
        #expect(message.contains("4 KiB"))
        #expect(message.contains("CAPSTAN_OUTPUTS_URI"))
        #expect(!message.contains("not a JSON object"))
    }
}

@Suite struct EngineStartErrorTests {
    @Test func aCommandThatCannotStartSaysWhy() throws {
        var pod = ObservedPod(name: "p", node: "t", attempt: 0, phase: .failed)
        pod.exitCode = 128
        pod.terminatedReason = "StartError"
        pod.terminationMessage = #"failed to create containerd task: ... exec: "pyhton3": executable file not found in $PATH: unknown"#
        let outcome = AttemptClassifier().outcome(of: pod, declaredOutputs: [], now: Timestamp(secondsSince1970: 0))
        guard case .failed(let info) = outcome else { Issue.record("\(outcome)"); return }
        #expect(info.reason == .error)
        #expect(info.exitCode == 128)
        #expect(info.message?.hasPrefix("the container could not start: ") == true)
        #expect(info.message?.contains(#"exec: "pyhton3": executable file not found"#) == true)
    }
}
