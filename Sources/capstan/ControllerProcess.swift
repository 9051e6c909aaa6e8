import CapstanController
import Metrics
import CapstanKube
import Logging
import ServiceLifecycle

/// The controllers as a process: the Workflow and CronWorkflow reconcile loops (behind one
/// leader election when asked), stopped gracefully on SIGTERM or SIGINT.
struct ControllerProcess {
    let controller: WorkflowController
    let cron: CronWorkflowController
    let client: KubeClient
    let logger: Logger
    let server: ObservabilityServer
    let dispatchServer: DispatchServer
    let health: HealthChecks
    let metrics: ControllerMetrics
    /// With `--leader-elect`, the Lease to hold; with `--shards`, the shard Leases' prefix.
    let leaderElection: LeaderElectionConfig?
    /// More than 0: sharded, one shard per replica (`leaderElection` names the Leases).
    var shards = 0

    func run() async throws {
        let reconciler = ReconcileService(controller: controller, cron: cron, client: client, leaderElection: leaderElection, shards: shards,
                                          logger: logger, health: health, metrics: metrics)
        // The server comes first so that it stops last: /metrics stays up while reconciles drain.
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: server), .init(service: dispatchServer),
                       .init(service: reconciler, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }
}

struct ReconcileService: Service {
    let controller: WorkflowController
    let cron: CronWorkflowController
    let client: KubeClient
    let leaderElection: LeaderElectionConfig?
    let shards: Int
    let logger: Logger
    let health: HealthChecks
    let metrics: ControllerMetrics

    func run() async throws {
        await cancelWhenGracefulShutdown {
            // A standby is ready too: it is healthy, only waiting for the lease.
            let readiness = Task {
                while !Task.isCancelled {
                    if leaderElection != nil || controller.isReady { health.setReady(); return }
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
            defer { readiness.cancel() }
            if let leaderElection, shards > 0 {
                let elector = ShardElector(client: client, template: leaderElection, shards: shards, logger: logger)
                logger.info("waiting for a shard", metadata: ["leases": "\(leaderElection.namespace)/\(leaderElection.leaseName)-0…\(shards - 1)"])
                await elector.run { shard in await runControllers(shard: ShardFilter(index: shard, count: shards)) }
            } else if let leaderElection {
                let elector = LeaderElector(client: client, config: leaderElection, logger: logger)
                logger.info("waiting to lead", metadata: ["lease": "\(leaderElection.namespace)/\(leaderElection.leaseName)"])
                await elector.run { await runControllers() }
            } else {
                metrics.setLeader(true)
                await runControllers()
            }
        }
    }

    /// Both until cancelled. Readiness is the Workflow controller's alone: a cluster
    /// without the CronWorkflow CRD still runs Workflows.
    private func runControllers(shard: ShardFilter? = nil) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await controller.run(shard: shard) }
            group.addTask { await cron.run(shard: shard) }
        }
    }
}
