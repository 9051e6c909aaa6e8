import CapstanAPI
import CapstanController
import CapstanKube
import CapstanSim
import Foundation
import Logging

/// Everything `capstan dev` runs in-process: the simulated API server on a free loopback
/// port with the Workflow CRD, the process kubelet, and the controller with a file store.
final class DevCluster: Sendable {
    let server: SimulatedAPIServer
    let stack: ControllerStack
    let kubelet: DevKubelet
    private let controllerTask: Task<Void, Never>

    private init(server: SimulatedAPIServer, stack: ControllerStack, kubelet: DevKubelet, controllerTask: Task<Void, Never>) {
        self.server = server
        self.stack = stack
        self.kubelet = kubelet
        self.controllerTask = controllerTask
    }

    var client: KubeClient { stack.client }

    /// How long a container may wait for a missing Secret, or a secret file that cannot be
    /// written, before its attempt fails with `ConfigError`.
    static let configErrorTimeout = 5.0

    struct StartError: Error, CustomStringConvertible {
        var description: String
    }

    static func start(directory: DevDirectory, logger: Logger) async throws -> DevCluster {
        // The kubelet must see a pod's deletion to stop its process before the pod goes away.
        let server = SimulatedAPIServer(configuration: .init(host: "127.0.0.1", port: 0, gracefulPodDeletion: true,
                                                                   podLogDirectory: directory.logs))
        var stack: ControllerStack?
        var kubelet: DevKubelet?
        do {
            let url = try await server.start()
            try SimKubeconfig.write(server: url, to: directory.kubeconfig)
            var config = ControllerConfig()
            config.namespace = "default"
            config.engine.storeURL = directory.storeURL
            // Every Secret is created before the workflow, so none that is missing is on its way:
            // the few seconds left are for the kubelet's watch to catch up, not a minute.
            config.engine.classifier.configErrorTimeout = Self.configErrorTimeout
            let opened = try await ControllerStack.open(
                kube: KubeConfig(server: url, origin: "capstan dev"), options: KubeClientOptions(qps: 0), config: config, logger: logger)
            stack = opened
            for definition in WorkflowSchema.customResourceDefinitions {
                _ = try await opened.client.create(.customResourceDefinitions, namespace: nil, object: definition)
            }
            kubelet = try await DevKubelet.start(client: opened.client, directory: directory, logger: logger)
        } catch {
            await kubelet?.shutdown()
            await stack?.shutdown()
            try? await server.shutdown()
            throw error
        }
        let controller = stack!.controller
        let cluster = DevCluster(server: server, stack: stack!, kubelet: kubelet!, controllerTask: Task { await controller.run() })
        do {
            try await cluster.waitUntilReady()
        } catch {
            await cluster.shutdown()
            throw error
        }
        return cluster
    }

    private func waitUntilReady() async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while !stack.controller.isReady {
            guard ContinuousClock.now < deadline else {
                throw StartError(description: "the controller did not start within 30 seconds (see its log)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Stops the processes first, so that nothing outlives the run, then the controller and the server.
    func shutdown() async {
        await kubelet.shutdown()
        controllerTask.cancel()
        await controllerTask.value
        await stack.shutdown()
        try? await server.shutdown()
    }
}
