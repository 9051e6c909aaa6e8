import CapstanAPI
import CapstanKube
import Foundation
import Testing
@testable import CapstanSim

/// `capstan sim --fault-rate` fails the kubelets' own requests too; the sim must still come
/// up with its nodes, registering them again until the API server takes them all, as a
/// kubelet does. (It used to give up on the first failure and crash before it was ready.)
@Suite struct NodeRegistrationTests {
    @Test func nodesRegisterThroughInjectedFaults() async throws {
        let api = SimulatedAPIServer(configuration: .init(faultRate: 0.2, eventLoopThreads: 1))
        let url = try await api.start()
        // No retries of its own: every injected fault reaches the registration.
        let client = try KubeClient(config: KubeConfig(server: url, origin: "test"), options: KubeClientOptions(qps: 0, retry: .none))
        let reader = try KubeClient(config: KubeConfig(server: url, origin: "test"), options: KubeClientOptions(qps: 0))
        let pool = NodePoolConfiguration(count: 6, cpu: "2", memory: "4Gi")
        let kubelets = try SimulatedKubelets(client: client, configuration: .init(nodes: pool))
        do {
            try await kubelets.registerNodesRetrying()
            let nodes = try await reader.listAll(.nodes, namespace: nil).items.compactMap(\.kubeMeta.name).sorted()
            #expect(nodes == pool.nodeNames.sorted())
        } catch {
            Issue.record("registration failed: \(error)")
        }
        try await client.shutdown()
        try await reader.shutdown()
        try await api.shutdown()
    }
}
