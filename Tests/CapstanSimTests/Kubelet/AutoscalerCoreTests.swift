import CapstanAPI
import CapstanKube
import Testing
@testable import CapstanSim

/// The simulated cluster autoscaler inside the kubelet core: inputs in, actions out, time
/// given by hand. Its Events read as Cluster Autoscaler writes them.
@Suite struct AutoscalerCoreTests {
    private let start = KubeletCore.Moment(instant: .now, wallSeconds: 1_800_000_000)
    private let pool = NodePoolConfiguration(count: 1, cpu: "2", memory: "4Gi")

    private func later(_ seconds: Double) -> KubeletCore.Moment {
        KubeletCore.Moment(instant: start.after(seconds), wallSeconds: start.wallSeconds + seconds)
    }

    /// A core over `pool` with its one node registered.
    private func core(taints: [String] = []) -> KubeletCore {
        var pool = self.pool
        pool.taints = taints
        var core = KubeletCore(nodeNames: pool.nodeNames, pool: pool)
        let node = NodeObjects(name: "sim-node-0", index: 0, configuration: pool, taints: (try? pool.parsedTaints()) ?? [])
        _ = core.handle(.node(.added(key: node.name, node.info)), at: start)
        return core
    }

    private func pending(_ name: String, cpu: Int64 = 0, gpus: Int64 = 0, memory: Int64 = 0,
                         affinity: NodeAffinity = .none, scaleUp: ScaleUpRequest?) -> PendingPod {
        PendingPod(key: "default/\(name)", namespace: "default", name: name, uid: "uid-\(name)",
                   requests: ResourceList(["cpu": cpu, "nvidia.com/gpu": gpus, "memory": memory]), affinity: affinity,
                   scaleUp: scaleUp)
    }

    private func events(_ actions: [KubeletAction]) -> [(pod: PodReference, event: PodEvent)] {
        actions.compactMap {
            if case .recordEvent(let pod, let event) = $0 { return (pod, event) }
            return nil
        }
    }

    private func registered(_ actions: [KubeletAction]) -> [NodeObjects] {
        actions.compactMap {
            if case .registerNode(let node) = $0 { return node }
            return nil
        }
    }

    private func binds(_ actions: [KubeletAction]) -> [String: String] {
        var result: [String: String] = [:]
        for case .bind(let pod, let node) in actions { result[pod.name] = node }
        return result
    }

    @Test func anUnschedulablePodTriggersOneScaleUpThenIsBoundToTheNewNode() throws {
        var core = core()
        let big = pending("big", cpu: 4500, memory: 6 << 30, scaleUp: .after(20))
        let first = core.handle(.pending(.added(key: big.key, big)), at: start)
        #expect(binds(first).isEmpty)
        let recorded = events(first)
        #expect(recorded.count == 1)
        #expect(recorded.first?.pod == PodReference(namespace: "default", name: "big", uid: "uid-big"))
        let event = recorded.first?.event
        #expect(event?.type == "Normal")
        #expect(event?.reason == "TriggeredScaleUp")
        #expect(event?.message == "pod triggered scale-up: [{sim-pool 1->2 (max: 101)}]")
        #expect(event?.component == "cluster-autoscaler")
        #expect(event?.host == nil)
        #expect(event?.fieldPath == nil)

        // client-go's legacy recorder, as CA uses it: source and reporting component, no host.
        let object = event?.object(for: recorded[0].pod, at: start.timestamp)
        #expect(object?["source"] == ["component": "cluster-autoscaler"])
        #expect(object?["reportingComponent"] == "cluster-autoscaler")
        #expect(object?["reportingInstance"] == "")
        #expect(object?["involvedObject"]?["kind"] == "Pod")
        #expect(object?["involvedObject"]?["uid"] == "uid-big")

        // The scheduler looks again (the pod changed, a retry): the Event is not recorded twice.
        var seen = big
        seen.unschedulableMessage = "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory."
        #expect(events(core.handle(.pending(.updated(key: big.key, old: big, new: seen)), at: later(1))).isEmpty)

        #expect(registered(core.handle(.timer, at: later(19))).isEmpty, "not due yet")
        let added = registered(core.handle(.timer, at: later(20)))
        #expect(added.map(\.name) == ["sim-node-1"])
        let node = try #require(added.first)
        // The pool's labels and settings, with capacity raised to what the pod asks.
        #expect(node.capacity["cpu"] == "4500m")
        #expect(node.capacity["memory"] == "6Gi")
        #expect(node.capacity["pods"] == "10000")
        #expect(node.labels["kubernetes.io/hostname"] == "sim-node-1")
        #expect(node.labels["node.kubernetes.io/instance-type"] == "capstan-sim")

        _ = core.handle(.node(.added(key: node.name, node.info)), at: later(20))
        let retried = core.handle(.timer, at: later(21))
        #expect(binds(retried) == ["big": "sim-node-1"])
    }

    @Test func neverDeclinesWithCAsReasons() {
        var core = core()
        let gpu = pending("gpu", gpus: 1, scaleUp: .never)
        let declined = events(core.handle(.pending(.added(key: gpu.key, gpu)), at: start))
        #expect(declined.map(\.event.reason) == ["NotTriggerScaleUp"])
        #expect(declined.first?.event.message == "pod didn't trigger scale-up: 1 Insufficient nvidia.com/gpu")
        #expect(declined.first?.event.component == "cluster-autoscaler")

        // A pod a new pool node would hold: the group is said to be at its maximum.
        let first = pending("first", cpu: 1500, scaleUp: nil)
        #expect(binds(core.handle(.pending(.added(key: first.key, first)), at: start)) == ["first": "sim-node-0"])
        let second = pending("second", cpu: 1500, scaleUp: .never)
        let full = events(core.handle(.pending(.added(key: second.key, second)), at: start))
        #expect(full.first?.event.message == "pod didn't trigger scale-up: 1 max node group size reached")

        #expect(registered(core.handle(.timer, at: later(3600))).isEmpty, "no node is ever added")
    }

    @Test func aScaleUpGrantsCapacityButNeverLabelsOrTolerations() {
        var core = core(taints: ["dedicated=batch:NoSchedule"])
        let intolerant = pending("intolerant", scaleUp: .after(5))
        let tainted = events(core.handle(.pending(.added(key: intolerant.key, intolerant)), at: start))
        #expect(tainted.first?.event.message == "pod didn't trigger scale-up: 1 node(s) had untolerated taint {dedicated: batch}")

        var untainted = self.core()
        let selective = pending("selective", affinity: NodeAffinity(nodeSelector: ["pool": "gpu"], requiredTerms: nil), scaleUp: .after(5))
        let unmatched = events(untainted.handle(.pending(.added(key: selective.key, selective)), at: start))
        #expect(unmatched.first?.event.reason == "NotTriggerScaleUp")
        #expect(unmatched.first?.event.message == "pod didn't trigger scale-up: 1 node(s) didn't match Pod's node affinity/selector")
        #expect(registered(untainted.handle(.timer, at: later(10))).isEmpty)
        #expect(registered(core.handle(.timer, at: later(10))).isEmpty)
    }

    @Test func theAnnotationIsAGoDurationOrNever() throws {
        #expect(ScaleUpRequest(annotations: ["sim.capstan.dev/scale-up": "20s"]) == .after(20))
        #expect(ScaleUpRequest(annotations: ["sim.capstan.dev/scale-up": "1m30s"]) == .after(90))
        #expect(ScaleUpRequest(annotations: ["sim.capstan.dev/scale-up": "never"]) == .never)
        #expect(ScaleUpRequest(annotations: ["sim.capstan.dev/scale-up": "soon"]) == nil)
        #expect(ScaleUpRequest(annotations: [:]) == nil)
        let pod: JSONValue = ["metadata": ["name": "p", "namespace": "default", "uid": "u",
                                           "annotations": ["sim.capstan.dev/scale-up": "250ms"]],
                              "spec": ["containers": [["name": "main"]]]]
        #expect(PendingPod.from(pod)?.scaleUp == .after(0.25))
    }

    @Test func capacityIsWrittenAsKubeQuantities() {
        let pool = ResourceList(["cpu": 2000, "memory": 4 << 30, "pods": 110])
        let asked = ResourceList(["cpu": 3000, "memory": 1536 << 20, "nvidia.com/gpu": 2, "ephemeral-storage": 1000])
        #expect(SimulatedAutoscaler.capacity(for: asked, beyond: pool) == ["cpu": "3", "nvidia.com/gpu": "2", "ephemeral-storage": "1000"])
        #expect(SimulatedAutoscaler.quantity(250, of: "cpu") == "250m")
        #expect(SimulatedAutoscaler.quantity(1536 << 20, of: "memory") == "1536Mi")
        #expect(SimulatedAutoscaler.quantity(2_000_000_000, of: "memory") == "1953125Ki")
        #expect(SimulatedAutoscaler.quantity(1_000_000_000, of: "memory") == "1000000000")
    }
}
