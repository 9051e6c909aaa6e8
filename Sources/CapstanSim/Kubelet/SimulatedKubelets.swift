import CapstanAPI
import CapstanKube
import Logging
import Synchronization

/// The kubelet half of `capstan sim`: simulated nodes, a scheduler that binds pending pods to
/// them, and kubelets that run the bound pods — scripted by their annotations, or as local
/// processes. It reaches the API server only through `KubeClient`, so it runs the same
/// against the sim's own API server (in this process or another) and against a real one
/// (`capstan sim --attach`), as KWOK does.
///
/// ```swift
/// let kubelets = try SimulatedKubelets(client: client, configuration: .init())
/// try await kubelets.registerNodes()      // optional: nodes exist before you go on
/// await kubelets.run()                    // until the task is cancelled
/// ```
/// Cancelling `run()` stops everything and kills every local process it started.
public final class SimulatedKubelets: Sendable {
    public enum Runtime: Sendable, Hashable {
        /// Pods run and end as their `sim.capstan.dev/*` annotations say. A map's worker pod
        /// (`/capstan/capstan worker`) runs an in-process worker loop instead, which takes items
        /// from the controller and applies the annotations to each item.
        case scripted
        /// The main container's command runs as a local process. Each pod's stdout and
        /// stderr go to `logDirectory/NAMESPACE/POD.log`; its `CAPSTAN_OUTPUTS_FILE` is
        /// `workDirectory/NAMESPACE/POD/termination-log`. A worker pod's `/capstan/capstan` is
        /// this very executable; its init container is not run.
        case process(workDirectory: String, logDirectory: String)
    }

    public struct Configuration: Sendable, Hashable {
        public var nodes: NodePoolConfiguration
        public var runtime: Runtime
        /// Concurrent bind requests and status writes.
        public var bindWorkers: Int
        public var statusWorkers: Int

        public init(nodes: NodePoolConfiguration = NodePoolConfiguration(), runtime: Runtime = .scripted,
                    bindWorkers: Int = 16, statusWorkers: Int = 32) {
            self.nodes = nodes
            self.runtime = runtime
            self.bindWorkers = bindWorkers
            self.statusWorkers = statusWorkers
        }
    }

    public let configuration: Configuration
    let client: KubeClient
    let logger: Logger
    let registrar: NodeRegistrar
    private let registered = Mutex(false)

    /// Checks the configuration; nothing is contacted until `registerNodes` or `run`.
    public init(client: KubeClient, configuration: Configuration = Configuration(),
                logger: Logger = Logger(label: "capstan.sim.kubelet")) throws(KubeletConfigurationError) {
        try configuration.nodes.validate()
        self.client = client
        self.configuration = configuration
        self.logger = logger
        registrar = try NodeRegistrar(client: client, configuration: configuration.nodes, logger: logger)
    }

    /// Creates (or refreshes) the Node objects. `run` does it too when it was not done.
    public func registerNodes() async throws {
        try await registrar.registerAll()
        registered.withLock { $0 = true }
    }

    /// Registers the nodes, trying again until the API server takes them all, as a kubelet
    /// retries its registration: with `--fault-rate` the kubelets' own requests fail too, and
    /// the sim must still start. Throws only when the task is cancelled.
    public func registerNodesRetrying() async throws {
        var failures = 0
        while true {
            do {
                return try await registerNodes()
            } catch {
                try Task.checkCancellation()
                failures += 1
                if failures == 1 || failures.isMultiple(of: 50) {
                    logger.warning("cannot register the simulated nodes; retrying", metadata: ["error": "\(error)", "failures": "\(failures)"])
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// Schedules and runs pods until the calling task is cancelled; then kills every local
    /// process it started. Errors talking to the API server are logged and retried.
    public func run() async {
        if !registered.withLock({ $0 }) {
            do {
                try await registerNodesRetrying()
            } catch {
                return
            }
        }
        let (inputs, continuation) = AsyncStream<KubeletInput>.makeStream()
        let informers = KubeletInformers(client: client, nodes: registrar.roster, runtime: configuration.runtime)
        let performer = ActionPerformer(client: client, inputs: continuation, runtime: configuration.runtime,
                                        registrar: registrar, logger: logger)
        await withTaskGroup(of: Void.self) { group in
            informers.start(in: &group, feeding: continuation)
            group.addTask { await self.registrar.heartbeat() }
            performer.start(in: &group, bindWorkers: configuration.bindWorkers, statusWorkers: configuration.statusWorkers)
            group.addTask { await self.drive(inputs, performer: performer, timerInputs: continuation) }
            await group.waitForAll()
        }
        continuation.finish()
    }

    /// The one loop that owns the core: each input in, its actions out.
    private func drive(_ inputs: AsyncStream<KubeletInput>, performer: ActionPerformer,
                       timerInputs: AsyncStream<KubeletInput>.Continuation) async {
        var core = KubeletCore(nodeNames: configuration.nodes.nodeNames, pool: configuration.nodes)
        var timer: (task: Task<Void, Never>, deadline: ContinuousClock.Instant)?
        defer { timer?.task.cancel() }
        for await input in inputs {
            if case .timer = input { timer = nil }
            let actions = core.handle(input, at: .now())
            for action in actions { await performer.perform(action) }
            if let next = core.nextDeadline, timer.map({ next < $0.deadline }) ?? true {
                timer?.task.cancel()
                let task = Task {
                    do { try await Task.sleep(until: next, clock: .continuous) } catch { return }
                    timerInputs.yield(.timer)
                }
                timer = (task, next)
            }
        }
    }
}
