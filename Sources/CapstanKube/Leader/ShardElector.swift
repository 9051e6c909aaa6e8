import Logging
import Metrics

/// Sharded controllers: `shards` Leases named `PREFIX-0` … `PREFIX-(N-1)`, each held by at
/// most one replica, and each replica holding at most one. A replica tries every shard in
/// turn (from a random one, so replicas starting together spread out) until one is free or
/// its holder stopped renewing it, then works that shard while renewing it — the leader
/// election of `LeaderElector`, once per shard. A replica with no free shard is a standby.
public final class ShardElector: Sendable {
    public let shards: Int
    private let electors: [LeaderElector]
    private let template: LeaderElectionConfig
    private let time: any TimeSource
    private let logger: Logger

    /// `template` gives the namespace, identity and timings; its lease name is the prefix.
    public init(client: any ResourceReader & ResourceWriter, template: LeaderElectionConfig, shards: Int,
                time: any TimeSource = SystemTimeSource(), logger: Logger = Logger(label: "capstan.shard"),
                metricsFactory: (any MetricsFactory)? = nil) {
        precondition(shards >= 1, "at least one shard")
        self.shards = shards
        self.template = template
        self.time = time
        self.logger = logger
        // One elector per shard for the whole campaign: each measures how long its lease has
        // gone unrenewed from its first look, so it must outlive the rounds.
        electors = (0..<shards).map { shard in
            var config = template
            config.leaseName = Self.leaseName(prefix: template.leaseName, shard: shard)
            return LeaderElector(client: client, config: config, time: time, logger: logger, metricsFactory: metricsFactory)
        }
    }

    public static func leaseName(prefix: String, shard: Int) -> String { "\(prefix)-\(shard)" }

    /// Campaigns until a shard is held, then runs `work` with its index while renewing the
    /// lease. Returns when the lease is lost (`work` is cancelled first) or the task is
    /// cancelled (the lease is released).
    public func run(whileHolding work: @escaping @Sendable (Int) async -> Void) async {
        let first = Int.random(in: 0..<shards)
        while !Task.isCancelled {
            for offset in 0..<shards {
                let shard = (first + offset) % shards
                guard await electors[shard].tryAcquireOrRenew() else { continue }
                logger.info("holding shard", metadata: ["shard": "\(shard)", "of": "\(shards)", "lease": "\(electors[shard].config.leaseName)"])
                await electors[shard].lead { await work(shard) }
                return
            }
            do { try await time.sleep(for: template.jitteredRetryPeriod) } catch { return }
        }
    }
}
