import CapstanAPI
import CapstanController
import CapstanKube
import CapstanStore
import Foundation
import Logging

/// The controllers and the two clients they need, built the same way by `capstan run` and
/// `capstan dev`, and closed together. `capstan dev` runs one Workflow and leaves `cron` idle.
struct ControllerStack {
    let client: KubeClient
    let store: any ObjectStore
    let controller: WorkflowController
    let cron: CronWorkflowController
    /// Where `map.workers` worker pods poll for items.
    let dispatchServer: DispatchServer

    struct StoreError: Error, CustomStringConvertible {
        var url: String
        var underlying: any Error
        var description: String { "--store \(url): \(underlying)" }
    }

    /// `metrics` defaults to a private registry, as the controller's does. `dispatch`: where
    /// worker pods poll (`--dispatch-addr`), and the URL they are given, nil for the address
    /// bound on loopback (`--dispatch-url`).
    static func open(kube: KubeConfig, options: KubeClientOptions, config: ControllerConfig, logger: Logger,
                     metrics: ControllerMetrics = ControllerMetrics(),
                     dispatch: (address: ListenAddress, url: String?) = (ListenAddress(host: "127.0.0.1", port: 0), nil)) async throws -> ControllerStack {
        var config = config
        let dispatcher = WorkerDispatcher(key: config.engine.workerKey, now: { Timestamp(Date()) })
        let dispatchServer = try await DispatchServer.bind(dispatch.address, dispatcher: dispatcher, logger: logger)
        config.engine.dispatchURL = dispatch.url ?? "http://\(dispatch.address.host.isEmpty ? "127.0.0.1" : dispatch.address.host):\(dispatchServer.address.port)"
        let client: KubeClient
        let store: any ObjectStore
        do {
            client = try KubeClient(config: kube, options: options)
            do {
                store = try ObjectStores.open(config.engine.storeURL, logger: logger)
            } catch {
                try? await client.shutdown()
                throw StoreError(url: config.engine.storeURL, underlying: error)
            }
        } catch {
            await dispatchServer.close()
            throw error
        }
        let controller = WorkflowController(kube: client, store: store, config: config, logger: logger, metrics: metrics, dispatcher: dispatcher)
        return ControllerStack(client: client, store: store, controller: controller,
                               cron: CronWorkflowController(kube: client, config: config, logger: logger), dispatchServer: dispatchServer)
    }

    /// Call once the controller has stopped.
    func shutdown() async {
        await dispatchServer.close()
        try? await store.shutdown()
        try? await client.shutdown()
    }
}
