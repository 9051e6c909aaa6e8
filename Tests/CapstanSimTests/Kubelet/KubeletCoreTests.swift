import CapstanAPI
import CapstanKube
import Foundation
import Testing
@testable import CapstanSim

/// The scheduler and kubelet state machine alone: inputs in, actions out, time given by hand.
@Suite struct KubeletCoreTests {
    private let start = KubeletCore.Moment(instant: .now, wallSeconds: 1_800_000_000)

    private func later(_ seconds: Double) -> KubeletCore.Moment {
        KubeletCore.Moment(instant: start.after(seconds), wallSeconds: start.wallSeconds + seconds)
    }

    private func node(_ name: String, cpu: Int64 = 4000, gpus: Int64 = 0, labels: [String: String] = [:], taints: [Taint] = []) -> NodeInfo {
        var allocatable = ResourceList(["cpu": cpu, "memory": 8 << 30, "pods": 110])
        allocatable["nvidia.com/gpu"] = gpus
        return NodeInfo(name: name, labels: labels.merging(["kubernetes.io/hostname": name]) { a, _ in a }, taints: taints,
                        unschedulable: false, allocatable: allocatable, internalIP: "172.18.0.2")
    }

    private func pending(_ name: String, cpu: Int64 = 0, gpus: Int64 = 0, affinity: NodeAffinity = .none,
                         tolerations: [Toleration] = []) -> PendingPod {
        PendingPod(key: "default/\(name)", namespace: "default", name: name, uid: "uid-\(name)",
                   requests: ResourceList(["cpu": cpu, "nvidia.com/gpu": gpus]), affinity: affinity, tolerations: tolerations)
    }

    private func bound(_ name: String, node: String = "n0", cpu: Int64 = 0, script: [String: String] = [:],
                       deadline: Int? = nil, terminating: Bool = false) throws -> BoundPod {
        BoundPod(key: "default/\(name)", namespace: "default", name: name, uid: "uid-\(name)", node: node, phase: "Pending",
                 terminating: terminating, gracePeriodSeconds: 30, requests: ResourceList(["cpu": cpu]),
                 activeDeadlineSeconds: deadline, startTime: nil, podIP: nil,
                 containers: [.init(name: "main", image: "busybox")], mainContainer: 0,
                 run: .script(try PodScript(annotations: script, labels: [:])))
    }

    private func binds(_ actions: [KubeletAction]) -> [String: String] {
        var result: [String: String] = [:]
        for case .bind(let pod, let node) in actions { result[pod.name] = node }
        return result
    }

    private func statuses(_ actions: [KubeletAction]) -> [(name: String, status: JSONValue, delete: Bool)] {
        actions.compactMap {
            if case .writeStatus(let pod, let status, let delete) = $0 { return (pod.name, status, delete) }
            return nil
        }
    }

    @Test func podsAreBoundWhereTheyFitAndReportedUnschedulableOnlyOnce() {
        var core = KubeletCore(nodeNames: ["n0", "n1"])
        _ = core.handle(.node(.added(key: "n0", node("n0", gpus: 1))), at: start)
        _ = core.handle(.node(.added(key: "n1", node("n1"))), at: start)
        let first = core.handle(.pending(.added(key: "default/a", pending("a", gpus: 1))), at: start)
        #expect(binds(first) == ["a": "n0"])

        let second = core.handle(.pending(.added(key: "default/b", pending("b", gpus: 1))), at: start)
        #expect(binds(second).isEmpty, "the only GPU is taken by the assumed pod a")
        let verdict = statuses(second)
        #expect(verdict.count == 1)
        #expect(verdict.first?.status["conditions"]?[0]?["message"] == "0/2 nodes are available: 2 Insufficient nvidia.com/gpu.")

        // The same verdict is not written again when the pod changes for another reason.
        var updated = pending("b", gpus: 1)
        updated.unschedulableMessage = "0/2 nodes are available: 2 Insufficient nvidia.com/gpu."
        #expect(statuses(core.handle(.pending(.updated(key: "default/b", old: updated, new: updated)), at: start)).isEmpty)
    }

    @Test func capacityIsReleasedWhenAPodFinishesAndWaitingPodsAreRetried() throws {
        var core = KubeletCore(nodeNames: ["n0"])
        _ = core.handle(.node(.added(key: "n0", node("n0", cpu: 2000))), at: start)
        #expect(binds(core.handle(.pending(.added(key: "default/a", pending("a", cpu: 1500))), at: start)) == ["a": "n0"])
        _ = core.handle(.bindFinished(key: "default/a", uid: "uid-a", .bound), at: start)
        _ = core.handle(.pending(.deleted(key: "default/a", pending("a", cpu: 1500))), at: start)
        let onNode = try bound("a", cpu: 1500, script: ["sim.capstan.dev/duration": "10s"])
        _ = core.handle(.bound(.added(key: "default/a", onNode)), at: start)

        let waiting = core.handle(.pending(.added(key: "default/b", pending("b", cpu: 1500))), at: start)
        #expect(binds(waiting).isEmpty)
        #expect(statuses(waiting).first?.status["conditions"]?[0]?["message"] == "0/1 nodes are available: 1 Insufficient cpu.")

        var finished = onNode
        finished.phase = "Succeeded"
        _ = core.handle(.bound(.deleted(key: "default/a", finished)), at: later(10))
        // The retry comes from the timer queue, shortly after the capacity was freed.
        #expect(core.nextDeadline != nil)
        let retried = core.handle(.timer, at: later(11))
        #expect(binds(retried) == ["b": "n0"])
    }

    @Test func affinityAndTaintsAreFilteredInKubeOrder() {
        var core = KubeletCore(nodeNames: ["n0", "n1", "n2"])
        _ = core.handle(.node(.added(key: "n0", node("n0", taints: [Taint(key: "spot", value: "true", effect: "NoSchedule")]))), at: start)
        _ = core.handle(.node(.added(key: "n1", node("n1", labels: ["pool": "cpu"]))), at: start)
        _ = core.handle(.node(.added(key: "n2", node("n2", labels: ["pool": "gpu"]))), at: start)
        let selector = NodeAffinity(nodeSelector: ["pool": "gpu"], requiredTerms: nil)
        #expect(binds(core.handle(.pending(.added(key: "default/a", pending("a", affinity: selector))), at: start)) == ["a": "n2"])

        let spotOnly = NodeAffinity(nodeSelector: [:], requiredTerms: [.init(
            expressions: [.init(key: "kubernetes.io/hostname", op: .in, values: ["n0"])], fields: [])])
        let refused = core.handle(.pending(.added(key: "default/b", pending("b", affinity: spotOnly))), at: start)
        #expect(statuses(refused).first?.status["conditions"]?[0]?["message"]
                == "0/3 nodes are available: 1 node(s) had untolerated taint {spot: true}, 2 node(s) didn't match Pod's node affinity/selector.")
        let tolerated = core.handle(.pending(.added(key: "default/c", pending("c", affinity: spotOnly, tolerations: [
            Toleration(key: "spot", exists: true)]))), at: start)
        #expect(binds(tolerated) == ["c": "n0"])
    }

    @Test func aScriptedPodRunsThenEndsOnItsTimer() throws {
        var core = KubeletCore(nodeNames: ["n0"])
        let pod = try bound("p", script: ["sim.capstan.dev/duration": "5s", "sim.capstan.dev/exit-code": "2"])
        let started = statuses(core.handle(.bound(.added(key: "default/p", pod)), at: start))
        #expect(started.map(\.status["phase"]) == ["Running"])
        #expect(statuses(core.handle(.timer, at: later(4))).isEmpty, "not due yet")
        let ended = statuses(core.handle(.timer, at: later(5)))
        #expect(ended.map(\.status["phase"]) == ["Failed"])
        #expect(ended.first?.status["containerStatuses"]?[0]?["state"]?["terminated"]?["exitCode"] == 2)
        #expect(ended.first?.delete == false)
    }

    @Test func aZeroDurationPodIsReportedFinishedWithoutARunningWrite() throws {
        var core = KubeletCore(nodeNames: ["n0"])
        let written = statuses(core.handle(.bound(.added(key: "default/p", try bound("p"))), at: start))
        #expect(written.map(\.status["phase"]) == ["Succeeded"])
    }

    @Test func theDeadlineWinsOverALongerDuration() throws {
        var core = KubeletCore(nodeNames: ["n0"])
        _ = core.handle(.bound(.added(key: "default/p", try bound("p", script: ["sim.capstan.dev/duration": "1h"], deadline: 2))), at: start)
        let ended = statuses(core.handle(.timer, at: later(2)))
        #expect(ended.first?.status["reason"] == "DeadlineExceeded")
        #expect(ended.first?.status["phase"] == "Failed")
    }

    @Test func aDeletedRunningPodIsFinishedThenDeleted() throws {
        var core = KubeletCore(nodeNames: ["n0"])
        let pod = try bound("p", script: ["sim.capstan.dev/duration": "1h"])
        _ = core.handle(.bound(.added(key: "default/p", pod)), at: start)
        var deleting = pod
        deleting.terminating = true
        deleting.phase = "Running"
        let ended = statuses(core.handle(.bound(.updated(key: "default/p", old: pod, new: deleting)), at: later(1)))
        #expect(ended.count == 1)
        #expect(ended.first?.status["phase"] == "Failed")
        #expect(ended.first?.delete == true)
        #expect(statuses(core.handle(.timer, at: later(3600))).isEmpty, "the finish timer no longer applies")
    }

    @Test func aPodRunningBeforeARestartResumesFromItsStartTime() throws {
        var core = KubeletCore(nodeNames: ["n0"])
        var pod = try bound("p", script: ["sim.capstan.dev/duration": "10s"])
        pod.phase = "Running"
        pod.startTime = later(-8).timestamp
        #expect(statuses(core.handle(.bound(.added(key: "default/p", pod)), at: start)).isEmpty, "already reported Running")
        #expect(statuses(core.handle(.timer, at: later(2))).map(\.status["phase"]) == ["Succeeded"])
    }
}
