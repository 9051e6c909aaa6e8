import CapstanAPI
import CapstanEngine
import CapstanKube
import Logging
import Synchronization
import Testing
@testable import CapstanController

/// The reconciler against an in-memory API server and store: what it writes when the API
/// server or the store answers badly, and that it never creates an attempt's pod twice.
@Suite struct WorkflowReconcilerTests {
    /// One workflow, its API server and store, and reconcilers that read what the cluster holds.
    struct Fixture {
        let api: InMemoryAPIServer
        let store = InMemoryStore()
        let clock = TestClock()

        init(spec: String) throws {
            let workflow: JSONValue = [
                "apiVersion": "capstan.dev/v1alpha1", "kind": "Workflow",
                "metadata": ["name": "wf", "namespace": "ml", "uid": "uid-1", "generation": 1],
                "spec": try YAMLDocuments.load(spec)[0],
            ]
            api = InMemoryAPIServer(workflow: workflow)
        }

        /// A reconciler as a controller process has one; a new one is a restarted controller.
        func reconciler() -> WorkflowReconciler {
            let api = self.api
            let clock = self.clock
            return WorkflowReconciler(
                kube: api, storeActions: StoreActions(store: store, cache: OutputsCache(), logger: Logger(label: "test"), metrics: ControllerMetrics()),
                config: ControllerConfig(),
                workflowLookup: { key in key == "ml/wf" ? api.workflow : nil },
                podLookup: { key, uid in
                    api.pods.compactMap(TrackedPod.summarize).filter { $0.workflowKey == key && $0.belongs(toWorkflowUID: uid) }.map(\.observed)
                },
                dispatcher: WorkerDispatcher(key: Array("test-key".utf8), now: { clock.now }),
                logger: Logger(label: "test"), metrics: ControllerMetrics(), now: { clock.now })
        }

        func advance(by seconds: Double) { clock.advance(by: seconds) }
    }

    /// The reconcilers' clock, moved by hand.
    final class TestClock: Sendable {
        private let time = Mutex(Timestamp(secondsSince1970: 1_000_000))
        var now: Timestamp { time.withLock { $0 } }
        func advance(by seconds: Double) { time.withLock { $0 = $0 + seconds } }
    }

    private static let quota = KubeError(
        reason: .forbidden, code: 403,
        message: #"pods "wf-t-0" is forbidden: exceeded quota: two-pods, requested: pods=1, used: pods=2, limited: pods=2"#)

    @Test func aQuotaRefusalLeavesTheNodePendingWithoutAnAttemptAndComesBackSoon() async throws {
        let cluster = try Fixture(spec: "defaults: {image: busybox}\nnodes: [{name: t}]")
        cluster.api.state.withLock { $0.createRefusals = [Self.quota] }
        let reconciler = cluster.reconciler()
        let requeue = try await reconciler.reconcile("ml/wf")
        let node = try #require(cluster.api.status.nodes["t"])
        #expect(node.phase == .pending)
        #expect(node.attempts == 0 && node.failures.isEmpty)
        #expect(node.message == "waiting for quota: \(Self.quota.message)")
        #expect(requeue == 1)
        #expect(cluster.api.eventReasons.contains("QuotaExceeded"))
        #expect(cluster.api.podCreates == 0)
        cluster.advance(by: 1)
        _ = try await reconciler.reconcile("ml/wf")
        #expect(cluster.api.podCreates == 1)
        #expect(cluster.api.status.nodes["t"]?.phase == .running)
        #expect(cluster.api.status.nodes["t"]?.message == nil)
    }

    @Test func aRejectedCreateFailsTheNodeWithTheServersMessage() async throws {
        let cluster = try Fixture(spec: "defaults: {image: busybox, retries: 3}\nnodes: [{name: t}]")
        let invalid = KubeError(reason: .invalid, code: 422, message: #"Pod "wf-t-0" is invalid: spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources"#)
        cluster.api.state.withLock { $0.createRefusals = [invalid] }
        _ = try await cluster.reconciler().reconcile("ml/wf")
        let status = cluster.api.status
        #expect(status.phase == .failed)
        #expect(status.nodes["t"]?.failures.map(\.reason) == [.podRejected])
        #expect(status.nodes["t"]?.failures.first?.message?.contains("Limit must be set for non overcommitable resources") == true)
        #expect(cluster.api.podCreates == 0)
    }

    @Test func aConflictOnTheStatusWriteCreatesNoSecondPod() async throws {
        let cluster = try Fixture(spec: "defaults: {image: busybox}\nnodes: [{name: t}]")
        cluster.api.state.withLock { $0.statusConflicts = 1 }
        let reconciler = cluster.reconciler()
        await #expect(throws: KubeError.self) { _ = try await reconciler.reconcile("ml/wf") }
        #expect(cluster.api.podCreates == 1)
        #expect(cluster.api.status.nodes.isEmpty, "the conflicting write saved nothing")
        // The work queue retries; the pod is seen and adopted, not created again.
        _ = try await reconciler.reconcile("ml/wf")
        #expect(cluster.api.podCreates == 1)
        #expect(cluster.api.status.nodes["t"]?.phase == .running)
        #expect(cluster.api.status.nodes["t"]?.attempts == 1)
    }

    @Test func aControllerRestartedBetweenCreateAndStatusSaveAdoptsThePod() async throws {
        let cluster = try Fixture(spec: "defaults: {image: busybox}\nnodes: [{name: t, outputs: [answer]}]")
        cluster.api.state.withLock { $0.statusConflicts = 1 }
        await #expect(throws: KubeError.self) { _ = try await cluster.reconciler().reconcile("ml/wf") }
        cluster.api.finishPods(phase: "Succeeded", message: #"{"answer": 42}"#)
        // A new process: no memory of the create.
        let restarted = cluster.reconciler()
        _ = try await restarted.reconcile("ml/wf")
        let status = cluster.api.status
        #expect(status.phase == .succeeded)
        #expect(status.nodes["t"]?.attempts == 1)
        #expect(cluster.api.podCreates == 1)
        #expect(cluster.store.keys.contains("ml/wf/uid-1/t/outputs.json"))
    }

    @Test func anUnreachableStoreKeepsTheNodeRunningAndSaysSo() async throws {
        let cluster = try Fixture(spec: "defaults: {image: busybox}\nnodes: [{name: t, outputs: [answer]}]")
        let reconciler = cluster.reconciler()
        _ = try await reconciler.reconcile("ml/wf")
        cluster.api.finishPods(phase: "Succeeded", message: #"{"answer": 42}"#)
        cluster.store.setDown(true)
        let requeue = try await reconciler.reconcile("ml/wf")
        #expect(cluster.api.status.nodes["t"]?.phase == .running, "not succeeded before its outputs are stored")
        #expect(cluster.api.eventReasons.contains("StoreUnavailable"))
        #expect((requeue ?? 0) >= 1)
        cluster.store.setDown(false)
        _ = try await reconciler.reconcile("ml/wf")
        #expect(cluster.api.status.phase == .succeeded)
        #expect(cluster.api.podCreates == 1)
    }
}
