import CapstanController
import CapstanKube
import CapstanStore
import Logging

/// The controllers and the two clients they need, built the same way by `capstan run` and
/// `capstan dev`, and closed together. `capstan dev` runs one Workflow and leaves `cron` idle.
struct ControllerStack {
    let client: KubeClient
    let store: any ObjectStore
    let controller: WorkflowController
    let cron: CronWorkflowController

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
                               controller: WorkflowController(kube: client, store: store, config: config, logger: logger, metrics: metrics),
                               cron: CronWorkflowController(kube: client, config: config, logger: logger))
    }

    /// Call once the controller has stopped.
    func shutdown() async {
        try? await store.shutdown()
        try? await client.shutdown()
    }
}
