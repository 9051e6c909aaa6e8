import CapstanAPI
import Foundation
import Testing
import TestSupport

/// The sim's scheduler through `capstan sim` as a process: requests, node selectors, node
/// affinity and taints decide where pods go, and pods that fit nowhere wait, Unschedulable.
@Suite struct SchedulerTests {
    private func unschedulable(_ cluster: KubeletCluster, _ name: String) async throws -> JSONValue {
        try await cluster.waitForPod(name, "Unschedulable") {
            $0.condition("PodScheduled")?["reason"] == "Unschedulable"
        }
    }

    @Test func aGPUPodStaysPendingWhereNoNodeHasGPUs() async throws {
        let cluster = try await KubeletCluster.start()
        try await cluster.create(simPod("wants-gpu", container: ["resources": ["limits": ["nvidia.com/gpu": "1"]]]))
        let pod = try await unschedulable(cluster, "wants-gpu")
        #expect(pod.phase == "Pending")
        let condition = try #require(pod.condition("PodScheduled"))
        #expect(condition["status"] == "False")
        #expect(condition["message"] == "0/4 nodes are available: 4 Insufficient nvidia.com/gpu.")
        #expect(condition["lastTransitionTime"]?.stringValue != nil)
        #expect(pod["spec"]?["nodeName"] == nil)
    }

    @Test func aGPUPodRunsOnANodeWithGPUs() async throws {
        let cluster = try await KubeletCluster.start(["--nodes", "2", "--node-gpus", "1"])
        try await cluster.create(simPod("gpu-a", annotations: ["sim.capstan.dev/duration": "1h"],
                                        container: ["resources": ["limits": ["nvidia.com/gpu": "1"]]]))
        try await cluster.create(simPod("gpu-b", annotations: ["sim.capstan.dev/duration": "1h"],
                                        container: ["resources": ["limits": ["nvidia.com/gpu": "1"]]]))
        let a = try await cluster.waitForPod("gpu-a", "Running") { $0.phase == "Running" }
        let b = try await cluster.waitForPod("gpu-b", "Running") { $0.phase == "Running" }
        #expect(a["spec"]?["nodeName"] != b["spec"]?["nodeName"], "one GPU per node: the pods must be on different nodes")
        try await cluster.create(simPod("gpu-c", container: ["resources": ["limits": ["nvidia.com/gpu": "1"]]]))
        let c = try await unschedulable(cluster, "gpu-c")
        #expect(c.condition("PodScheduled")?["message"] == "0/2 nodes are available: 2 Insufficient nvidia.com/gpu.")
    }

    /// The first pod runs 45 s, long enough for the second to be seen waiting on a loaded
    /// machine (whose answers can take seconds) before the first finishes.
    @Test func capacityFreedByAFinishedPodLetsAWaitingPodRun() async throws {
        let cluster = try await KubeletCluster.start(["--nodes", "1", "--node-cpu", "2"])
        let requests: JSONValue = ["resources": ["requests": ["cpu": "1500m", "memory": "1Gi"]]]
        try await cluster.create(simPod("first", annotations: ["sim.capstan.dev/duration": "45s"], container: requests.objectValue!))
        try await cluster.waitForPod("first", "Running") { $0.phase == "Running" }
        try await cluster.create(simPod("second", container: requests.objectValue!))
        let waiting = try await cluster.waitForPod("second", timeout: 40, "Unschedulable") {
            $0.condition("PodScheduled")?["reason"] == "Unschedulable"
        }
        #expect(waiting.condition("PodScheduled")?["message"] == "0/1 nodes are available: 1 Insufficient cpu.")
        let second = try await cluster.finishedPod("second", timeout: 120)
        #expect(second.phase == "Succeeded")
        #expect(second.condition("PodScheduled")?["status"] == "True")
        #expect(try await cluster.pod("first")?.phase == "Succeeded")
    }

    @Test func nodeSelectorAndRequiredAffinityPickTheNode() async throws {
        let cluster = try await KubeletCluster.start()
        try await cluster.create(simPod("selected", annotations: ["sim.capstan.dev/duration": "1h"],
                                        spec: ["nodeSelector": ["kubernetes.io/hostname": "sim-node-2"]]))
        let affinity: JSONValue = ["nodeAffinity": ["requiredDuringSchedulingIgnoredDuringExecution": ["nodeSelectorTerms": [
            ["matchExpressions": [
                ["key": "kubernetes.io/hostname", "operator": "In", "values": ["sim-node-1", "sim-node-3"]],
                ["key": "kubernetes.io/hostname", "operator": "NotIn", "values": ["sim-node-1"]],
                ["key": "kubernetes.io/os", "operator": "Exists"],
                ["key": "example.com/absent", "operator": "DoesNotExist"],
            ]],
        ]]]]
        try await cluster.create(simPod("affine", annotations: ["sim.capstan.dev/duration": "1h"], spec: ["affinity": affinity]))
        try await cluster.create(simPod("nowhere", spec: ["nodeSelector": ["example.com/pool": "spot"]]))

        let selected = try await cluster.waitForPod("selected", "Running") { $0.phase == "Running" }
        #expect(selected["spec"]?["nodeName"] == "sim-node-2")
        let affine = try await cluster.waitForPod("affine", "Running") { $0.phase == "Running" }
        #expect(affine["spec"]?["nodeName"] == "sim-node-3")
        let nowhere = try await unschedulable(cluster, "nowhere")
        #expect(nowhere.condition("PodScheduled")?["message"] == "0/4 nodes are available: 4 node(s) didn't match Pod's node affinity/selector.")

        // A node labelled afterwards takes the waiting pod.
        let labelled = try await cluster.sim.kubectl("label", "node", "sim-node-0", "example.com/pool=spot")
        #expect(labelled.exitCode == 0, "\(labelled)")
        let placed = try await cluster.finishedPod("nowhere")
        #expect(placed["spec"]?["nodeName"] == "sim-node-0")
    }

    @Test func taintsKeepOutPodsThatDoNotTolerateThem() async throws {
        let cluster = try await KubeletCluster.start(["--nodes", "2", "--node-taint", "dedicated=batch:NoSchedule"])
        let nodes = try JSONValue.parse(try await cluster.sim.kubectl("get", "node", "sim-node-0", "-o", "json").stdout)
        #expect(nodes["spec"]?["taints"] == [["key": "dedicated", "value": "batch", "effect": "NoSchedule"]])

        try await cluster.create(simPod("intolerant"))
        let intolerant = try await unschedulable(cluster, "intolerant")
        #expect(intolerant.condition("PodScheduled")?["message"] == "0/2 nodes are available: 2 node(s) had untolerated taint {dedicated: batch}.")

        try await cluster.create(simPod("tolerant", spec: ["tolerations": [
            ["key": "dedicated", "operator": "Equal", "value": "batch", "effect": "NoSchedule"],
        ]]))
        #expect(try await cluster.finishedPod("tolerant").phase == "Succeeded")
        try await cluster.create(simPod("tolerates-all", spec: ["tolerations": [["operator": "Exists"]]]))
        #expect(try await cluster.finishedPod("tolerates-all").phase == "Succeeded")
    }
}
