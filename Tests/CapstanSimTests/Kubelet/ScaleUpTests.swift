import CapstanAPI
import Foundation
import Testing
import TestSupport

/// `sim.capstan.dev/scale-up` through `capstan sim` as a process: the simulated cluster
/// autoscaler records Cluster Autoscaler's Events on the pod and, for a duration, adds a
/// node that fits it, on which the pod is bound and runs.
@Suite struct ScaleUpTests {
    /// The cluster autoscaler's Events about the pod, waiting until there is at least one.
    private func autoscalerEvents(_ cluster: KubeletCluster, pod: String, timeout: Double = 20) async throws -> [JSONValue] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let list = try await RawHTTP.request(cluster.sim.url, "GET", "/api/v1/namespaces/default/events").json
            let events = (list?["items"]?.arrayValue ?? []).filter {
                $0["involvedObject"]?["name"]?.stringValue == pod && $0["source"]?["component"] == "cluster-autoscaler"
            }
            if !events.isEmpty { return events }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw KubeletTestFailure("no cluster-autoscaler Event on pod \(pod) within \(Int(timeout))s\n\(cluster.sim.log)")
    }

    private func node(_ cluster: KubeletCluster, _ name: String) async throws -> JSONValue? {
        let response = try await RawHTTP.request(cluster.sim.url, "GET", "/api/v1/nodes/\(name)")
        return response.status == 200 ? response.json : nil
    }

    @Test func aPodThatFitsNowhereTriggersAScaleUpThenRunsOnTheNewNode() async throws {
        let cluster = try await KubeletCluster.start(["--nodes", "1", "--node-cpu", "2"])
        let pod = simPod("big", annotations: ["sim.capstan.dev/scale-up": "15s",
                                              "sim.capstan.dev/duration": "1s",
                                              "sim.capstan.dev/outputs": #"{"rows":3}"#],
                         container: ["resources": ["requests": ["cpu": "3", "memory": "1Gi"]]])
        let created = try #require(try await RawHTTP.request(cluster.sim.url, "POST", "/api/v1/namespaces/default/pods", json: pod).json)
        let createdVersion = try #require(created["metadata"]?["resourceVersion"]?.stringValue)
        let finished = try await cluster.finishedPod("big", timeout: 90)

        // The pod's history replayed from its creation: the waiting state is read however
        // late a loaded machine would have polled for it.
        let replay = try await RawHTTP.request(cluster.sim.url, "GET",
                                               "/api/v1/namespaces/default/pods?watch=true&resourceVersion=\(createdVersion)&timeoutSeconds=1")
        let versions = replay.text.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }.compactMap { $0["object"] }
        let waiting = try #require(versions.first { $0.condition("PodScheduled")?["reason"] == "Unschedulable" },
                                   "the pod was Unschedulable before the new node: \(replay.text)")
        #expect(waiting.condition("PodScheduled")?["message"] == "0/1 nodes are available: 1 Insufficient cpu.")

        let events = try await autoscalerEvents(cluster, pod: "big")
        let event = try #require(events.first)
        #expect(event["type"] == "Normal")
        #expect(event["reason"] == "TriggeredScaleUp")
        #expect(event["message"] == "pod triggered scale-up: [{sim-pool 1->2 (max: 101)}]")
        #expect(event["source"] == ["component": "cluster-autoscaler"])
        #expect(event["reportingComponent"] == "cluster-autoscaler")
        #expect(event["involvedObject"]?["kind"] == "Pod")
        #expect(event["involvedObject"]?["uid"] == waiting["metadata"]?["uid"])

        #expect(finished.phase == "Succeeded")
        #expect(finished["spec"]?["nodeName"] == "sim-node-1")
        #expect(finished.terminated?["message"] == #"{"rows":3}"#)

        let added = try #require(try await node(cluster, "sim-node-1"))
        #expect(added["metadata"]?["labels"]?["kubernetes.io/hostname"] == "sim-node-1")
        #expect(added["metadata"]?["labels"]?["kubernetes.io/os"] == "linux")
        #expect(added["metadata"]?["labels"]?["node.kubernetes.io/instance-type"] == "capstan-sim")
        #expect(added["status"]?["capacity"]?["cpu"] == "3", "raised to the pod's request")
        #expect(added["status"]?["capacity"]?["memory"] == "128Gi", "the pool's, which was enough")
        let ready = added["status"]?["conditions"]?.arrayValue?.first { $0["type"] == "Ready" }
        #expect(ready?["status"] == "True")
        // Whole-second timestamps: the node joined no sooner than the 15 s after the Event (with
        // slack for a loaded machine recording the Event late).
        let eventAt = event["firstTimestamp"]?.stringValue.flatMap(Timestamp.init(rfc3339:))
        let nodeAt = added["metadata"]?["creationTimestamp"]?.stringValue.flatMap(Timestamp.init(rfc3339:))
        #expect(eventAt != nil && nodeAt != nil && nodeAt! - eventAt! >= 10, "the node waited for the scale-up's duration")

        #expect(try await autoscalerEvents(cluster, pod: "big").count == 1, "recorded once")
    }

    @Test func neverLeavesThePodUnschedulableWithNotTriggerScaleUp() async throws {
        let cluster = try await KubeletCluster.start()
        try await cluster.create(simPod("no-gpu", annotations: ["sim.capstan.dev/scale-up": "never"],
                                        container: ["resources": ["limits": ["nvidia.com/gpu": "1"]]]))
        let events = try await autoscalerEvents(cluster, pod: "no-gpu")
        #expect(events.count == 1)
        let event = try #require(events.first)
        #expect(event["type"] == "Normal")
        #expect(event["reason"] == "NotTriggerScaleUp")
        #expect(event["message"] == "pod didn't trigger scale-up: 1 Insufficient nvidia.com/gpu")
        #expect(event["source"] == ["component": "cluster-autoscaler"])
        #expect(event["reportingComponent"] == "cluster-autoscaler")

        try await Task.sleep(for: .seconds(1))
        let pod = try #require(try await cluster.pod("no-gpu"))
        #expect(pod.phase == "Pending")
        #expect(pod.condition("PodScheduled")?["reason"] == "Unschedulable")
        #expect(pod["spec"]?["nodeName"] == nil)
        let nodes = try await cluster.sim.kubectl("get", "nodes", "-o", "name")
        #expect(nodes.stdout.split(separator: "\n").count == 4, "no node added: \(nodes)")
        #expect(try await autoscalerEvents(cluster, pod: "no-gpu").count == 1, "recorded once")
    }
}
