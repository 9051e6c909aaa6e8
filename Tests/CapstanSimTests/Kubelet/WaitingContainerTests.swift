import CapstanAPI
import Foundation
import Testing
import TestSupport

/// Pods whose `main` container waits — an image that does not pull, a Secret or ConfigMap
/// that does not exist — and pods whose sidecar outlives `main`, with the statuses and
/// Events a real kubelet writes.
@Suite struct WaitingContainerTests {
    private func mainState(_ pod: JSONValue) -> JSONValue? {
        pod["status"]?["containerStatuses"]?.arrayValue?.first { $0["name"] == "main" }?["state"]
    }

    private func waitingReason(_ pod: JSONValue) -> String? { mainState(pod)?["waiting"]?["reason"]?.stringValue }

    @Test func anImageThatDoesNotPullWaitsInErrImagePullThenBackOff() async throws {
        let cluster = try await KubeletCluster.start()
        try await cluster.create(simPod("unpulled", annotations: ["sim.capstan.dev/image-pull": "fail"]))
        // ErrImagePull shows for about a second before the back-off: a loaded machine's polling
        // may see either first; the pull error itself is also in the Failed Event, checked below.
        let pulling = try await cluster.waitForPod("unpulled", "ErrImagePull or ImagePullBackOff") {
            ["ErrImagePull", "ImagePullBackOff"].contains(waitingReason($0) ?? "")
        }
        #expect(pulling.phase == "Pending")
        let pullError: String = "rpc error: code = NotFound desc = failed to pull and unpack image "
            + "\"docker.io/library/busybox:1.36\": failed to resolve reference \"docker.io/library/busybox:1.36\": "
            + "docker.io/library/busybox:1.36: not found"
        if waitingReason(pulling) == "ErrImagePull" {
            #expect(mainState(pulling)?["waiting"]?["message"]?.stringValue == pullError)
        }
        #expect(pulling.condition("Ready")?["status"] == "False")
        #expect(pulling.condition("Ready")?["reason"] == "ContainersNotReady")
        #expect(pulling.condition("ContainersReady")?["message"] == "containers with unready status: [main]")

        let backOff = try await cluster.waitForPod("unpulled", "ImagePullBackOff") { waitingReason($0) == "ImagePullBackOff" }
        #expect(backOff.phase == "Pending")
        #expect(mainState(backOff)?["waiting"]?["message"] == "Back-off pulling image \"busybox:1.36\"")

        let events = try await RawHTTP.request(cluster.sim.url, "GET", "/api/v1/namespaces/default/events").json
        let podEvents = (events?["items"]?.arrayValue ?? []).filter { $0["involvedObject"]?["name"] == "unpulled" }
        let reasons = podEvents.compactMap { $0["reason"]?.stringValue }
        #expect(reasons.contains("Failed") && reasons.contains("BackOff"), "\(reasons)")
        #expect(podEvents.contains { $0["message"]?.stringValue?.contains(pullError) == true }, "the pull error is reported")
    }

    @Test func aMissingSecretOrKeyHoldsTheContainerUntilItAppears() async throws {
        let cluster = try await KubeletCluster.start()
        let env: JSONValue = [["name": "PASSWORD", "valueFrom": ["secretKeyRef": ["name": "db", "key": "password"]]]]
        try await cluster.create(simPod("configured", annotations: ["sim.capstan.dev/duration": "0s"], container: ["env": env]))
        let missing = try await cluster.waitForPod("configured", "CreateContainerConfigError") {
            waitingReason($0) == "CreateContainerConfigError"
        }
        #expect(missing.phase == "Pending")
        #expect(mainState(missing)?["waiting"]?["message"] == "secret \"db\" not found")

        let secret: JSONValue = ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "db"], "data": ["user": "YQ=="]]
        try await cluster.create(secret)
        try await cluster.waitForPod("configured", "missing its key") {
            mainState($0)?["waiting"]?["message"] == "couldn't find key password in Secret default/db"
        }

        let patched = try await cluster.sim.kubectl("patch", "secret", "db", "-p", #"{"stringData":{"password":"x"}}"#)
        #expect(patched.exitCode == 0, "\(patched)")
        let finished = try await cluster.finishedPod("configured")
        #expect(finished.phase == "Succeeded")

        // An optional reference to nothing is no obstacle.
        let optional: JSONValue = [["name": "TOKEN", "valueFrom": ["configMapKeyRef": ["name": "none", "key": "t", "optional": true]]]]
        try await cluster.create(simPod("optional", container: ["env": optional]))
        #expect(try await cluster.finishedPod("optional").phase == "Succeeded")
    }

    @Test func aProjectedSecretVolumeWaitsInContainerCreatingForItsSecretAndKey() async throws {
        let cluster = try await KubeletCluster.start()
        let volume: JSONValue = ["name": "capstan-secrets", "projected": ["sources": [
            ["secret": ["name": "tls", "items": [["key": "tls.key", "path": "0-tls.key"]]]],
        ]]]
        let mount: JSONValue = ["name": "capstan-secrets", "mountPath": "/etc/tls/tls.key", "subPath": "0-tls.key", "readOnly": true]
        try await cluster.create(simPod("mounted", spec: ["volumes": [volume]], container: ["volumeMounts": [mount]]))
        let unmounted = try await cluster.waitForPod("mounted", "ContainerCreating") { waitingReason($0) == "ContainerCreating" }
        #expect(unmounted.phase == "Pending")
        // As a real kubelet, the reason is in a FailedMount Event, not in the status.
        let failedMount = try await poll(timeout: .seconds(20), interval: .milliseconds(200)) { () async throws -> String? in
            let listed = try await cluster.sim.kubectl("get", "events", "--field-selector", "involvedObject.name=mounted,reason=FailedMount",
                                                       "-o", "jsonpath={.items[*].message}")
            return listed.stdout.isEmpty ? nil : listed.stdout
        }
        #expect(failedMount == #"MountVolume.SetUp failed for volume "capstan-secrets" : secret "tls" not found"#)

        // The Secret without the key the volume names: still not mountable.
        try await cluster.create(["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "tls"], "stringData": ["tls.crt": "c"]])
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await cluster.pod("mounted").map(waitingReason) == "ContainerCreating")

        let patched = try await cluster.sim.kubectl("patch", "secret", "tls", "-p", #"{"stringData":{"tls.key":"k"}}"#)
        #expect(patched.exitCode == 0, "\(patched)")
        #expect(try await cluster.finishedPod("mounted").phase == "Succeeded")
    }

    @Test func aSidecarThatKeepsRunningLeavesThePodRunningAfterMainEnds() async throws {
        let cluster = try await KubeletCluster.start()
        try await cluster.create(simPod("meshed", annotations: ["sim.capstan.dev/sidecar": "keep-running",
                                                                "sim.capstan.dev/duration": "1s",
                                                                "sim.capstan.dev/exit-code": "3",
                                                                "sim.capstan.dev/outputs": #"{"x":1}"#]))
        let ended = try await cluster.waitForPod("meshed", "main terminated") { mainState($0)?["terminated"] != nil }
        #expect(ended.phase == "Running")
        #expect(mainState(ended)?["terminated"]?["exitCode"] == 3)
        #expect(mainState(ended)?["terminated"]?["message"] == #"{"x":1}"#)
        let sidecar = ended["status"]?["containerStatuses"]?.arrayValue?.first { $0["name"] == "sidecar" }
        #expect(sidecar?["state"]?["running"] != nil)
        #expect(sidecar?["ready"] == true)
        #expect(ended.condition("Ready")?["message"] == "containers with unready status: [main]")

        try await Task.sleep(for: .milliseconds(500))
        #expect(try await cluster.pod("meshed")?.phase == "Running", "the sidecar keeps it running")
        let deleted = try await cluster.sim.kubectl("delete", "pod", "meshed", "--timeout=20s")
        #expect(deleted.exitCode == 0, "\(deleted)")
    }
}
