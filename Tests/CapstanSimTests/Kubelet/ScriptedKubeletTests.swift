import CapstanAPI
import Foundation
import Testing
import TestSupport

/// The scripted kubelet, through `capstan sim` as a process and kubectl: pods end as their
/// `sim.capstan.dev/*` annotations say, with the statuses real kubelets write.
@Suite struct ScriptedKubeletTests {
    @Test func aPodRunsForItsDurationAndSucceedsWithItsOutputs() async throws {
        let cluster = try await KubeletCluster.start()
        try await cluster.create(simPod("ok", annotations: ["sim.capstan.dev/duration": "4s",
                                                            "sim.capstan.dev/outputs": #"{"accuracy":0.93}"#]))
        // A pod that runs for an hour shows the Running status however slowly this test polls.
        try await cluster.create(simPod("long", annotations: ["sim.capstan.dev/duration": "3600s"]))
        let running = try await cluster.waitForPod("long", "Running") { $0.phase == "Running" }
        #expect(running["spec"]?["nodeName"]?.stringValue?.hasPrefix("sim-node-") == true)
        #expect(running.condition("Ready")?["status"] == "True")
        #expect(running.condition("PodScheduled")?["status"] == "True")
        #expect(running["status"]?["startTime"]?.stringValue != nil)
        #expect(running["status"]?["podIP"]?.stringValue?.isEmpty == false)
        #expect(running["status"]?["hostIP"]?.stringValue?.isEmpty == false)
        let main = running["status"]?["containerStatuses"]?[0]
        #expect(main?["name"] == "main")
        #expect(main?["ready"] == true)
        #expect(main?["started"] == true)
        #expect(main?["restartCount"] == 0)
        #expect(main?["state"]?["running"]?["startedAt"]?.stringValue != nil)

        let finished = try await cluster.finishedPod("ok")
        // The container's own start and finish (whole seconds) show it ran for its 4s duration.
        let ranFrom = finished.terminated?["startedAt"]?.stringValue.flatMap(Timestamp.init(rfc3339:))
        let ranTo = finished.terminated?["finishedAt"]?.stringValue.flatMap(Timestamp.init(rfc3339:))
        #expect(ranFrom != nil && ranTo != nil && ranTo! - ranFrom! >= 3, "ran for about its duration")
        #expect(finished.phase == "Succeeded")
        #expect(finished.terminated?["exitCode"] == 0)
        #expect(finished.terminated?["reason"] == "Completed")
        #expect(finished.terminated?["message"] == #"{"accuracy":0.93}"#)
        #expect(finished.terminated?["finishedAt"]?.stringValue != nil)
        #expect(finished.condition("Ready")?["reason"] == "PodCompleted")
        let shown = try await cluster.sim.kubectl("get", "pod", "ok", "--no-headers")
        #expect(shown.stdout.contains("Completed"), "\(shown)")
    }

    @Test func aNonZeroExitCodeFailsThePodWithError() async throws {
        let cluster = try await KubeletCluster.start()
        try await cluster.create(simPod("three", annotations: ["sim.capstan.dev/exit-code": "3",
                                                               "sim.capstan.dev/outputs": "partial"]))
        let pod = try await cluster.finishedPod("three")
        #expect(pod.phase == "Failed")
        #expect(pod.terminated?["exitCode"] == 3)
        #expect(pod.terminated?["reason"] == "Error")
        #expect(pod.terminated?["message"] == "partial")
        #expect(pod["status"]?["reason"] == nil)
    }

    @Test func oomKilledEndsWith137() async throws {
        let cluster = try await KubeletCluster.start()
        try await cluster.create(simPod("oom", annotations: ["sim.capstan.dev/reason": "OOMKilled"]))
        let pod = try await cluster.finishedPod("oom")
        #expect(pod.phase == "Failed")
        #expect(pod.terminated?["exitCode"] == 137)
        #expect(pod.terminated?["reason"] == "OOMKilled")
    }

    @Test func evictionPreemptionAndNodeLossReadAsKubeWritesThem() async throws {
        let cluster = try await KubeletCluster.start()
        for (name, reason) in [("evicted", "Evicted"), ("preempted", "Preempted"), ("lost", "NodeLost")] {
            try await cluster.create(simPod(name, annotations: ["sim.capstan.dev/reason": reason, "sim.capstan.dev/duration": "200ms"]))
        }
        let evicted = try await cluster.finishedPod("evicted")
        #expect(evicted.phase == "Failed")
        #expect(evicted["status"]?["reason"] == "Evicted")
        #expect(evicted["status"]?["message"]?.stringValue?.hasPrefix("The node was low on resource: memory.") == true)
        #expect(evicted.condition("DisruptionTarget")?["reason"] == "TerminationByKubelet")
        #expect(evicted.condition("DisruptionTarget")?["status"] == "True")
        #expect(evicted.terminated?["exitCode"] == 137)

        let preempted = try await cluster.finishedPod("preempted")
        #expect(preempted.phase == "Failed")
        #expect(preempted["status"]?["reason"] == nil, "kube sets no status.reason for preemption")
        #expect(preempted.condition("DisruptionTarget")?["reason"] == "PreemptionByScheduler")
        #expect(preempted.condition("DisruptionTarget")?["status"] == "True")

        let lost = try await cluster.finishedPod("lost")
        #expect(lost.phase == "Failed")
        #expect(lost["status"]?["reason"] == "NodeLost")
        let node = lost["spec"]?["nodeName"]?.stringValue ?? "?"
        #expect(lost["status"]?["message"]?.stringValue == "Node \(node) which was running pod lost is unresponsive")
        #expect(lost.condition("DisruptionTarget")?["reason"] == "DeletionByTaintManager")

        // The preempted pod is kept so a controller can read why it ended.
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await cluster.pod("preempted") != nil)
    }

    @Test func failAttemptsFailsOnlyTheEarlyAttempts() async throws {
        let cluster = try await KubeletCluster.start()
        for attempt in 0..<3 {
            try await cluster.create(simPod("flaky-\(attempt)", annotations: ["sim.capstan.dev/fail-attempts": "2"],
                                            labels: ["capstan.dev/attempt": "\(attempt)"]))
        }
        try await cluster.create(simPod("oom-first", annotations: ["sim.capstan.dev/fail-attempts": "1", "sim.capstan.dev/reason": "OOMKilled"],
                                        labels: ["capstan.dev/attempt": "1"]))
        for attempt in 0..<2 {
            let pod = try await cluster.finishedPod("flaky-\(attempt)")
            #expect(pod.phase == "Failed")
            #expect(pod.terminated?["exitCode"] == 1, "exit-code defaults to 1 for selected attempts")
        }
        #expect(try await cluster.finishedPod("flaky-2").phase == "Succeeded")
        let second = try await cluster.finishedPod("oom-first")
        #expect(second.phase == "Succeeded", "the reason applies only to the selected attempts")
    }

    @Test func failIndexesFailsOnlyTheListedItems() async throws {
        let cluster = try await KubeletCluster.start()
        for index in 0..<4 {
            try await cluster.create(simPod("item-\(index)", annotations: ["sim.capstan.dev/fail-indexes": "1,3",
                                                                           "sim.capstan.dev/exit-code": "9"],
                                            labels: ["capstan.dev/index": "\(index)", "capstan.dev/attempt": "0"]))
        }
        for index in 0..<4 {
            let pod = try await cluster.finishedPod("item-\(index)")
            if index == 1 || index == 3 {
                #expect(pod.phase == "Failed")
                #expect(pod.terminated?["exitCode"] == 9)
            } else {
                #expect(pod.phase == "Succeeded")
            }
        }
    }

    @Test func activeDeadlineSecondsStopsTheAttempt() async throws {
        let cluster = try await KubeletCluster.start()
        try await cluster.create(simPod("slow", annotations: ["sim.capstan.dev/duration": "1h"], spec: ["activeDeadlineSeconds": 1]))
        let pod = try await cluster.finishedPod("slow", timeout: 15)
        #expect(pod.phase == "Failed")
        #expect(pod["status"]?["reason"] == "DeadlineExceeded")
        #expect(pod["status"]?["message"] == "Pod was active on the node longer than the specified deadline")
        #expect(pod.terminated?["exitCode"] == 137)
        #expect(pod.terminated?["reason"] == "Error")
    }

    @Test func aBadAnnotationFailsThePodNamingIt() async throws {
        let cluster = try await KubeletCluster.start()
        try await cluster.create(simPod("typo", annotations: ["sim.capstan.dev/duration": "ten seconds"]))
        let pod = try await cluster.finishedPod("typo")
        #expect(pod.phase == "Failed")
        #expect(pod.terminated?["reason"] == "StartError")
        #expect(pod.terminated?["message"]?.stringValue?.contains("sim.capstan.dev/duration") == true)
    }

    @Test func deletingARunningPodFinishesAndRemovesIt() async throws {
        let cluster = try await KubeletCluster.start()
        try await cluster.create(simPod("long", annotations: ["sim.capstan.dev/duration": "1h"]))
        try await cluster.waitForPod("long", "Running") { $0.phase == "Running" }
        let deleted = try await cluster.sim.kubectl("delete", "pod", "long", "--wait=true", "--timeout=20s")
        #expect(deleted.exitCode == 0, "\(deleted)")
        #expect(try await cluster.pod("long") == nil)
    }

    @Test func nodesAreRegisteredLikeRealKubeletsRegisterThem() async throws {
        let cluster = try await KubeletCluster.start(["--nodes", "3", "--node-cpu", "16", "--node-memory", "64Gi", "--node-gpus", "2"])
        let list = try await cluster.sim.kubectl("get", "nodes", "-o", "json")
        let nodes = try JSONValue.parse(list.stdout)["items"]?.arrayValue ?? []
        #expect(nodes.compactMap { $0["metadata"]?["name"]?.stringValue } == ["sim-node-0", "sim-node-1", "sim-node-2"])
        let node = try #require(nodes.first)
        #expect(node["metadata"]?["labels"]?["kubernetes.io/hostname"] == "sim-node-0")
        #expect(node["metadata"]?["labels"]?["kubernetes.io/os"] == "linux")
        #expect(node["metadata"]?["labels"]?["kubernetes.io/arch"] == "amd64")
        #expect(node["status"]?["capacity"]?["cpu"] == "16")
        #expect(node["status"]?["allocatable"]?["memory"] == "64Gi")
        #expect(node["status"]?["capacity"]?["nvidia.com/gpu"] == "2")
        #expect(node["status"]?["capacity"]?["pods"] == "10000")
        #expect(node.condition("Ready")?["status"] == "True")

        // `kubectl get nodes` shows the columns it shows for a real cluster.
        let table = try await cluster.sim.kubectl("get", "nodes")
        let lines = table.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(lines.first == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"], "\(table)")
        #expect(lines.dropFirst().map { [$0[0], $0[1], $0[2], $0.last ?? ""] } == (0..<3).map { ["sim-node-\($0)", "Ready", "<none>", "v1.32.0"] },
                "\(table)")
    }
}
