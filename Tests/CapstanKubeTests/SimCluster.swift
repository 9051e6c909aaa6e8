import CapstanAPI
import CapstanKube
import Foundation
import TestSupport

/// `capstan sim` as a real process plus a `KubeClient` configured from the kubeconfig it
/// writes — the same path `capstan run --kubeconfig` takes.
struct SimCluster {
    let sim: SimProcess
    let client: KubeClient

    static func start(_ arguments: [String] = [], options: KubeClientOptions = KubeClientOptions(qps: 0)) async throws -> SimCluster {
        let sim = try await SimProcess.start(arguments)
        let config = try KubeConfig.load(kubeconfigPath: sim.kubeconfigPath, environment: [:])
        return SimCluster(sim: sim, client: try KubeClient(config: config, options: options))
    }

    /// Another client on the same cluster, e.g. one with different retry settings.
    func makeClient(options: KubeClientOptions = KubeClientOptions(qps: 0)) throws -> KubeClient {
        try KubeClient(config: client.config, options: options)
    }

    func stop() async throws {
        try await client.shutdown()
        try await sim.stop()
    }

    /// Response codes the sim logged, for checking that faults really were injected.
    func auditCodes() throws -> [Int] {
        try sim.auditEntries().compactMap { ($0["code"] as? NSNumber)?.intValue }
    }
}

func configMap(_ name: String, namespace: String = "default", data: [String: JSONValue] = [:], labels: [String: JSONValue] = [:]) -> JSONValue {
    [
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": .object(labels)],
        "data": .object(data),
    ]
}

func pod(_ name: String, namespace: String = "default", labels: [String: JSONValue] = [:]) -> JSONValue {
    [
        "apiVersion": "v1", "kind": "Pod",
        "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": .object(labels),
                     // The scripted kubelet would otherwise run the pod and change its status under the test.
                     "annotations": ["sim.capstan.dev/duration": "1h"]],
        "spec": ["restartPolicy": "Never", "nodeName": "unscheduled-node",
                 "containers": [["name": "main", "image": "busybox", "command": ["sh", "-c", "true"]]]],
    ]
}

/// Runs `body` until it throws or the first event arrives; returns the event or the error.
func firstEvent(of stream: WatchEventStream, timeout: Duration = .seconds(10)) async -> Result<WatchEvent?, any Error> {
    await withTaskGroup(of: Result<WatchEvent?, any Error>?.self) { group in
        group.addTask {
            do {
                for try await event in stream { return .success(event) }
                return .success(nil)
            } catch {
                return .failure(error)
            }
        }
        group.addTask {
            try? await Task.sleep(for: timeout)
            return nil
        }
        let first = await group.next()!
        group.cancelAll()
        return first ?? .success(nil)
    }
}

/// Starts a sim, runs `body` and always stops both the client and the sim afterwards
/// (an `HTTPClient` must be shut down before it is released).
func withSimCluster<T>(_ arguments: [String] = [], options: KubeClientOptions = KubeClientOptions(qps: 0),
                       _ body: (SimCluster) async throws -> T) async throws -> T {
    let cluster = try await SimCluster.start(arguments, options: options)
    do {
        let result = try await body(cluster)
        try await cluster.stop()
        return result
    } catch {
        try? await cluster.stop()
        throw error
    }
}
