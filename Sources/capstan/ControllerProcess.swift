import CapstanController
import CapstanKube
import Logging
import ServiceLifecycle

/// The controller as a process: the reconcile loop (behind leader election when asked),
/// stopped gracefully on SIGTERM or SIGINT.
struct ControllerProcess {
    let controller: WorkflowController
    let client: KubeClient
    let logger: Logger
    let metricsAddress: String
    let healthAddress: String
    let leaderElection: LeaderElectionConfig?

    func run() async throws {
        let reconciler = ReconcileService(controller: controller, client: client, leaderElection: leaderElection, logger: logger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: reconciler, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }
}

struct ReconcileService: Service {
    let controller: WorkflowController
    let client: KubeClient
    let leaderElection: LeaderElectionConfig?
    let logger: Logger

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            if let leaderElection {
                let elector = LeaderElector(client: client, config: leaderElection, logger: logger)
                logger.info("waiting to lead", metadata: ["lease": "\(leaderElection.namespace)/\(leaderElection.leaseName)"])
                await elector.run { await controller.run() }
            } else {
                await controller.run()
            }
        }
    }
}

enum LoggingBootstrap {
    static func bootstrap(format: String, level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
