import ArgumentParser
import CapstanAPI
import CapstanController
import CapstanEngine
import CapstanKube
import CapstanStore
import Foundation
import Logging

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the controller: reconcile Workflows into pods until SIGTERM, then drain and exit 0.")

    @Option(help: "Kubeconfig file (default: KUBECONFIG, in-cluster, then ~/.kube/config).")
    var kubeconfig: String?
    @Option(help: "Only watch this namespace (default: all namespaces).")
    var namespace: String?
    @Option(help: "Where node outputs are kept: s3://BUCKET/PREFIX or file:///PATH (default: file:// under the temporary folder).")
    var store: String?
    @Option(help: "Workflows reconciled at once.")
    var workers: Int = 4
    @Option(name: .customLong("kube-qps"), help: "Client-side limit of requests per second to the API server; 0 = none. Default: none once the API server shows it applies API Priority and Fairness, else \(Int(Self.fallbackQPS)).")
    var kubeQPS: Double?
    @Option(name: .customLong("kube-burst"), help: "Requests allowed at once above the QPS.")
    var kubeBurst: Int = 200

    /// The limit kept when `--kube-qps` is not given and the API server does not apply API
    /// Priority and Fairness (Flyte's propeller defaults to 100 as well).
    static let fallbackQPS: Double = 100
    @Option(name: .customLong("system-retries"), help: "Attempts a node may lose to Evicted, Preempted, NodeLost or PodDeleted.")
    var systemRetries: Int = 3
    @Option(name: .customLong("metrics-addr"), help: "Address of /metrics.")
    var metricsAddr: String = ":8080"
    @Option(name: .customLong("health-addr"), help: "Address of /healthz and /readyz.")
    var healthAddr: String = ":8081"
    @Flag(name: .customLong("leader-elect"), help: "Only reconcile while holding the capstan-controller Lease.")
    var leaderElect = false
    @Option(name: .customLong("leader-election-namespace"), help: "Namespace of the Lease (default: POD_NAMESPACE or default).")
    var leaderElectionNamespace: String?
    @Option(name: .customLong("shards"), help: "Split Workflows and CronWorkflows into N shards by UID; each replica holds one shard's Lease and reconciles only that shard (0 = not sharded).")
    var shards: Int = 0
    @Option(name: .customLong("shard-lease-prefix"), help: "Shard Leases are named PREFIX-0 … PREFIX-(N-1), in the leader election namespace.")
    var shardLeasePrefix: String = "capstan-shard"
    @Option(name: .customLong("dispatch-addr"), help: "Address where map.workers worker pods poll for items (default: :8082 in a cluster, else 127.0.0.1 on a free port).")
    var dispatchAddr: String?
    @Option(name: .customLong("dispatch-url"), help: "The URL worker pods are given to reach --dispatch-addr (default: http://POD_IP:PORT in a cluster, else the loopback address bound).")
    var dispatchURL: String?
    @Option(name: .customLong("worker-image"), help: "Image whose capstan binary a worker pod's init container installs (default: CAPSTAN_IMAGE, else capstan:latest).")
    var workerImage: String?
    @Option(name: .customLong("worker-key-file"), help: "File holding the key worker pods' tokens are signed with; keep it across restarts so a restarted controller keeps its workers (default: a new random key).")
    var workerKeyFile: String?
    @Option(name: .customLong("log-format"), help: "json or text.")
    var logFormat: String = "text"
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"
    @Option(name: .customLong("spot-node-selector"), help: "KEY=VALUE added to the nodeSelector of interruptible pods (repeatable).")
    var spotNodeSelector: [String] = []
    @Option(name: .customLong("spot-toleration"), help: "KEY=VALUE:EFFECT, KEY:EFFECT or KEY, a toleration for interruptible pods (repeatable).")
    var spotToleration: [String] = []
    @Option(name: .customLong("unschedulable-timeout"), help: "How long a pod may stay unschedulable before its attempt fails.")
    var unschedulableTimeout: String = "5m"
    @Option(name: .customLong("scale-up-timeout"), help: "How long a node a cluster autoscaler is adding for an unschedulable pod (its TriggeredScaleUp or Nominated Event) may take before the attempt fails.")
    var scaleUpTimeout: String = "15m"
    @Option(name: .customLong("log-link"), help: "NAME=TEMPLATE, a link to each attempt's logs written into the status (repeatable); placeholders {namespace} {pod} {container} {node} {startedAt} {finishedAt}.")
    var logLink: [String] = []
    @Option(name: .customLong("default-ttl"), help: "Delete finished Workflows this long after they finish unless their spec sets ttlAfterFinished (default: keep them).")
    var defaultTTL: String?
    @Option(name: .customLong("image-pull-timeout"), help: "How long a pod may fail to pull its image (ErrImagePull, ImagePullBackOff) before its attempt fails.")
    var imagePullTimeout: String = "5m"
    @Option(name: .customLong("config-error-timeout"), help: "How long a container may wait for a missing Secret, ConfigMap or key (CreateContainerConfigError) before its attempt fails.")
    var configErrorTimeout: String = "1m"

    func validate() throws {
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
        guard systemRetries >= 0 else { throw ValidationError("--system-retries must not be negative") }
        guard (kubeQPS ?? 0) >= 0, kubeBurst >= 1 else { throw ValidationError("--kube-qps must not be negative and --kube-burst must be at least 1") }
        guard shards >= 0 else { throw ValidationError("--shards must not be negative") }
        guard shards == 0 || !leaderElect else {
            throw ValidationError("--shards and --leader-elect cannot be used together: each shard has a Lease of its own, so a standby replica waits for a shard instead")
        }
        guard !shardLeasePrefix.isEmpty, shardLeasePrefix.count <= 240,
              shardLeasePrefix.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "-" || $0 == "." }) else {
            throw ValidationError("--shard-lease-prefix \"\(shardLeasePrefix)\": a Lease name needs lowercase letters, digits, '-' or '.'")
        }
        do {
            _ = try LogFormat(parsing: logFormat)
            _ = try LogSetup.parseLevel(logLevel)
            _ = try ListenAddress(parsing: metricsAddr, flag: "--metrics-addr")
            _ = try ListenAddress(parsing: healthAddr, flag: "--health-addr")
            if let dispatchAddr { _ = try ListenAddress(parsing: dispatchAddr, flag: "--dispatch-addr") }
        } catch {
            throw ValidationError("\(error)")
        }
        _ = try SpotSettings(nodeSelector: spotNodeSelector, tolerations: spotToleration)
        let durations = [("--unschedulable-timeout", unschedulableTimeout), ("--image-pull-timeout", imagePullTimeout),
                         ("--config-error-timeout", configErrorTimeout), ("--scale-up-timeout", scaleUpTimeout)]
            + (defaultTTL.map { [("--default-ttl", $0)] } ?? [])
        for (flag, value) in durations {
            do { _ = try SpecDuration(value) } catch { throw ValidationError("\(flag): \(error)") }
        }
        for link in logLink {
            do { _ = try LogLinkTemplate(parsing: link) } catch { throw ValidationError("\(error)") }
        }
    }

    func run() async throws {
        NetworkThreads.configure()
        LogSetup.bootstrap(format: try LogFormat(parsing: logFormat), level: try LogSetup.parseLevel(logLevel))
        // Before any client, queue or store exists, so that they all record into it.
        let metrics = ControllerMetrics.bootstrap()
        let logger = Logger(label: "capstan.controller")
        let config = try controllerConfig()
        let kubeConfig: KubeConfig
        do {
            kubeConfig = try KubeConfig.load(kubeconfigPath: kubeconfig)
        } catch {
            throw ValidationError("cannot find the cluster: \(error)")
        }
        let stack: ControllerStack
        do {
            stack = try await ControllerStack.open(kube: kubeConfig, options: KubeClientOptions(qps: kubeQPS ?? Self.fallbackQPS, burst: kubeBurst,
                                                                                  unlimitedUnderPriorityAndFairness: kubeQPS == nil),
                                             config: config, logger: logger, metrics: metrics, dispatch: try dispatchSettings())
        } catch let error as ControllerStack.StoreError {
            throw ValidationError(error.description)
        }
        let health = HealthChecks()
        let server = try await ObservabilityServer.bind(
            metricsAddress: try ListenAddress(parsing: metricsAddr, flag: "--metrics-addr"),
            healthAddress: try ListenAddress(parsing: healthAddr, flag: "--health-addr"),
            metrics: metrics, health: health, logger: logger)
        logger.info("starting", metadata: ["store": "\(config.engine.storeURL)", "namespace": "\(namespace ?? "(all)")", "workers": "\(workers)"])
        let leaderNamespace = leaderElectionNamespace ?? ProcessInfo.processInfo.environment["POD_NAMESPACE"] ?? "default"
        let identity = ProcessInfo.processInfo.environment["POD_NAME"] ?? "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
        var process = ControllerProcess(
            controller: stack.controller, cron: stack.cron, client: stack.client, logger: logger, server: server,
            dispatchServer: stack.dispatchServer, health: health, metrics: metrics,
            leaderElection: leaderElect || shards > 0 ? LeaderElectionConfig(
                leaseName: shards > 0 ? shardLeasePrefix : "capstan-controller", namespace: leaderNamespace, identity: identity) : nil)
        process.shards = shards
        try await process.run()
        await stack.shutdown()
        logger.info("stopped")
    }

    func controllerConfig() throws -> ControllerConfig {
        var config = ControllerConfig()
        config.namespace = namespace
        config.workers = workers
        config.shards = shards
        config.engine.systemRetries = systemRetries
        config.engine.storeURL = store ?? "file://" + FileManager.default.temporaryDirectory.appendingPathComponent("capstan-store").path
        let spot = try SpotSettings(nodeSelector: spotNodeSelector, tolerations: spotToleration)
        config.engine.spotNodeSelector = spot.nodeSelector
        config.engine.spotTolerations = spot.tolerations
        config.engine.classifier.unschedulableTimeout = try SpecDuration(unschedulableTimeout).seconds
        config.engine.classifier.imagePullTimeout = try SpecDuration(imagePullTimeout).seconds
        config.engine.classifier.configErrorTimeout = try SpecDuration(configErrorTimeout).seconds
        config.engine.classifier.scaleUpTimeout = try SpecDuration(scaleUpTimeout).seconds
        config.engine.defaultTTL = try defaultTTL.map { try SpecDuration($0).seconds }
        config.engine.logLinks = try logLink.map { try LogLinkTemplate(parsing: $0) }
        config.engine.workerImage = workerImage ?? ProcessInfo.processInfo.environment["CAPSTAN_IMAGE"] ?? "capstan:latest"
        config.engine.workerKey = try workerKey()
        return config
    }

    /// In a cluster, worker pods reach this replica at its pod IP on :8082; elsewhere (the
    /// simulator, where they are local processes) at a free loopback port.
    private func dispatchSettings() throws -> (address: ListenAddress, url: String?) {
        let environment = ProcessInfo.processInfo.environment
        let inCluster = environment["KUBERNETES_SERVICE_HOST"] != nil
        let address = try dispatchAddr.map { try ListenAddress(parsing: $0, flag: "--dispatch-addr") }
            ?? (inCluster ? ListenAddress(host: "", port: 8082) : ListenAddress(host: "127.0.0.1", port: 0))
        if let dispatchURL { return (address, dispatchURL) }
        if inCluster {
            guard let ip = environment["POD_IP"], !ip.isEmpty, address.port != 0 else {
                throw ValidationError("--dispatch-url is needed in a cluster (or POD_IP from the downward API, status.podIP, with a fixed "
                                      + "--dispatch-addr port): map.workers worker pods must be told where this controller listens")
            }
            return (address, "http://\(ip.contains(":") ? "[\(ip)]" : ip):\(address.port)")
        }
        return (address, nil)
    }

    private func workerKey() throws -> [UInt8] {
        guard let workerKeyFile else {
            var generator = SystemRandomNumberGenerator()
            return (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        }
        guard let data = FileManager.default.contents(atPath: workerKeyFile) else {
            throw ValidationError("--worker-key-file \(workerKeyFile): cannot read the file")
        }
        let key = Array(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        guard key.count >= 16 else {
            throw ValidationError("--worker-key-file \(workerKeyFile): the key is \(key.count) bytes; use at least 16 random bytes")
        }
        return key
    }
}

/// `--spot-node-selector` and `--spot-toleration` parsed into pod fields.
struct SpotSettings {
    var nodeSelector: [String: String] = [:]
    var tolerations: [JSONValue] = []

    init(nodeSelector: [String], tolerations: [String]) throws {
        for entry in nodeSelector {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else { throw ValidationError("--spot-node-selector \"\(entry)\": expected KEY=VALUE") }
            self.nodeSelector[parts[0]] = parts[1]
        }
        for entry in tolerations {
            let (keyValue, effect) = entry.contains(":")
                ? (String(entry[..<entry.lastIndex(of: ":")!]), String(entry[entry.index(after: entry.lastIndex(of: ":")!)...])) : (entry, "")
            guard effect.isEmpty || ["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(effect) else {
                throw ValidationError("--spot-toleration \"\(entry)\": effect must be NoSchedule, PreferNoSchedule or NoExecute")
            }
            var toleration: [String: JSONValue] = [:]
            let parts = keyValue.split(separator: "=", maxSplits: 1).map(String.init)
            guard let key = parts.first, !key.isEmpty else { throw ValidationError("--spot-toleration \"\(entry)\": expected KEY=VALUE:EFFECT or KEY:EFFECT") }
            toleration["key"] = .string(key)
            if parts.count == 2 {
                toleration["operator"] = "Equal"
                toleration["value"] = .string(parts[1])
            } else {
                toleration["operator"] = "Exists"
            }
            if !effect.isEmpty { toleration["effect"] = .string(effect) }
            self.tolerations.append(.object(toleration))
        }
    }
}
