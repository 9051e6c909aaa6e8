import ArgumentParser
import CapstanKube

/// `--kubeconfig` and `-n/--namespace`, as every command that talks to a cluster takes them
/// (SPEC §13), and the client they open.
struct ClusterOptions: ParsableArguments {
    @Option(help: "Kubeconfig file (default: KUBECONFIG, in-cluster, then ~/.kube/config).")
    var kubeconfig: String?
    @Option(name: [.short, .customLong("namespace")], help: "Namespace (default: the kubeconfig context's).")
    var namespace: String?

    /// Runs `body` with a client and the namespace to use, and closes the client after.
    func withClient<T>(_ body: (KubeClient, String) async throws -> T) async throws -> T {
        let config: KubeConfig
        do {
            config = try KubeConfig.load(kubeconfigPath: kubeconfig)
        } catch {
            throw ValidationError("cannot find the cluster: \(error)")
        }
        let client = try KubeClient(config: config)
        do {
            let result = try await body(client, namespace ?? config.namespace)
            try? await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}

/// The Workflow a command acts on, and where it is.
struct WorkflowTarget: ParsableArguments {
    @Argument(help: "The Workflow's name.")
    var workflow: String
    @OptionGroup var cluster: ClusterOptions

    /// Runs `body` with a client, the namespace, and the Workflow's name.
    func withClient<T>(_ body: (KubeClient, String, String) async throws -> T) async throws -> T {
        try await cluster.withClient { client, namespace in try await body(client, namespace, workflow) }
    }
}

/// A Workflow that is not there: kubectl's words, and exit 1.
struct WorkflowNotFound: Error, CustomStringConvertible {
    var namespace: String
    var name: String
    var description: String { "Error from server (NotFound): workflows.capstan.dev \"\(name)\" not found in namespace \(namespace)" }
}
