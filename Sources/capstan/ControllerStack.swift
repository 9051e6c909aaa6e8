import CapstanController
import CapstanKube
import CapstanStore
import Logging

/// The controller and the two clients it needs, built the same way by `capstan run` and
/// `capstan dev`, and closed together.
struct ControllerStack {
    let client: KubeClient
    let store: any ObjectStore
    let controller: WorkflowController

    struct StoreError: Error, CustomStringConvertible {
        var url: String
        var underlying: any Error
        var description: String { "--store \(url): \(underlying)" }
    }

    /// `metrics` defaults to a private registry, as the controller's does.
    static func open(kube: KubeConfig, options: KubeClientOptions, config: ControllerConfig, logger: Logger,
                     metrics: ControllerMetrics = ControllerMetrics()) throws -> ControllerStack {
        let client = try KubeClient(config: kube, options: options)
        let store: any ObjectStore
        do {
            store = try ObjectStores.open(config.engine.storeURL, logger: logger)
        } catch {
            throw StoreError(url: config.engine.storeURL, underlying: error)
        }
        return ControllerStack(client: client, store: store,
                               controller: WorkflowController(kube: client, store: store, config: config, logger: logger, metrics: metrics))
    }

    /// Call once the controller has stopped.
    func shutdown() async {
        try? await store.shutdown()
        try? await client.shutdown()
    }
}
