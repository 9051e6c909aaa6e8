import CapstanAPI
import CapstanSupport
import Foundation
import Logging
import Metrics
import NIOConcurrencyHelpers

/// Leader election on a `coordination.k8s.io/v1` Lease, as client-go does it: the leader
/// renews the lease every `retryPeriod`; others take it once it has gone unrenewed for
/// `leaseDuration` as measured by their own clock (so clock skew between machines does not
/// matter). Writes use the lease's resourceVersion, so two candidates never both win.
///
/// `run(whileLeading:)` campaigns, runs the work while leading and returns when leadership
/// is lost (the work is then cancelled) or the task is cancelled (the lease is released).
/// Reports `capstan_leader` (1 while leading).
public final class LeaderElector: Sendable {
    let client: any ResourceReader & ResourceWriter
    public let config: LeaderElectionConfig
    let time: any TimeSource
    let wallClock: @Sendable () -> Date
    let logger: Logger
    let onNewLeader: @Sendable (String) -> Void
    private let state = NIOLockedValueBox(Observation())
    private let metricsFactory: (any MetricsFactory)?

    struct Observation: Sendable {
        var record: LeaseRecord?
        var resourceVersion: String?
        /// Our clock's reading when `record` last changed.
        var observedAt: Duration = .zero
        var leading = false
    }

    public init(client: any ResourceReader & ResourceWriter, config: LeaderElectionConfig,
                time: any TimeSource = SystemTimeSource(), wallClock: @escaping @Sendable () -> Date = { Date() },
                logger: Logger = Logger(label: "capstan.leader"), metricsFactory: (any MetricsFactory)? = nil,
                onNewLeader: @escaping @Sendable (String) -> Void = { _ in }) {
        self.client = client
        self.config = config
        self.time = time
        self.wallClock = wallClock
        self.logger = logger
        self.onNewLeader = onNewLeader
        self.metricsFactory = metricsFactory
    }

    public var isLeader: Bool { state.withLockedValue { $0.leading } }

    /// The holder of the lease as last seen, "" when free.
    public var observedLeader: String? { state.withLockedValue { $0.record?.holderIdentity } }

    /// Campaigns until elected, then runs `work` while renewing. Returns when leadership is
    /// lost or the calling task is cancelled; `work` is cancelled first.
    public func run(whileLeading work: @escaping @Sendable () async -> Void) async {
        setLeading(false)
        guard await acquire() else { return }
        await lead(work)
    }

    /// Runs `work` while renewing a lease just acquired; returns when it is lost or the task
    /// is cancelled (the lease is then released).
    func lead(_ work: @escaping @Sendable () async -> Void) async {
        setLeading(true)
        logger.info("became leader", metadata: ["lease": "\(config.namespace)/\(config.leaseName)", "identity": "\(config.identity)"])
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await work() }
            group.addTask { await self.renewUntilLost() }
            // Whichever ends first — lost leadership or cancellation — ends the other.
            _ = await group.next()
            group.cancelAll()
        }
        let cancelled = Task.isCancelled
        setLeading(false)
        if cancelled && config.releaseOnCancel {
            await release()
        }
        logger.info("stopped leading", metadata: ["identity": "\(config.identity)", "released": "\(cancelled && config.releaseOnCancel)"])
    }

    /// client-go's shape: `onStartedLeading` runs while leading and is cancelled when
    /// leadership ends; `onStoppedLeading` runs after, whether the lease was lost or released.
    /// A controller normally exits when this returns, as client-go's controllers do.
    public func run(onStartedLeading: @escaping @Sendable () async -> Void,
                    onStoppedLeading: @escaping @Sendable () async -> Void) async {
        let wasElected = LockedFlag()
        await run {
            wasElected.set()
            await onStartedLeading()
        }
        if wasElected.isSet { await onStoppedLeading() }
    }

    private func setLeading(_ leading: Bool) {
        state.withLockedValue { $0.leading = leading }
        Gauge(label: "capstan_leader", factory: metricsFactory ?? MetricsSystem.factory).record(leading ? 1 : 0)
    }

    /// Tries every `retryPeriod` (with jitter) until elected; false when cancelled.
    private func acquire() async -> Bool {
        while !Task.isCancelled {
            if await tryAcquireOrRenew() { return true }
            do { try await time.sleep(for: config.jitteredRetryPeriod) } catch { return false }
        }
        return false
    }

    /// Renews every `retryPeriod`; returns when no renewal succeeded for `renewDeadline`,
    /// or when cancelled.
    private func renewUntilLost() async {
        var lastRenewal = time.now()
        while !Task.isCancelled {
            do { try await time.sleep(for: config.retryPeriod) } catch { return }
            let remaining = config.renewDeadline - (time.now() - lastRenewal)
            if remaining > .zero, await withTimeout(remaining, { await self.tryAcquireOrRenew() }) == true {
                lastRenewal = time.now()
                continue
            }
            if Task.isCancelled { return }
            if time.now() - lastRenewal >= config.renewDeadline {
                logger.warning("failed to renew the lease in time; stepping down", metadata: ["identity": "\(config.identity)"])
                return
            }
        }
    }

    /// One round: read the lease, and take or renew it if it is ours or has expired.
    func tryAcquireOrRenew() async -> Bool {
        let now = wallClock()
        let durationSeconds = max(1, Int(config.leaseDuration.seconds.rounded(.up)))
        let existing: JSONValue
        do {
            existing = try await client.get(.leases, namespace: config.namespace, name: config.leaseName)
        } catch let error as KubeError where error.isNotFound {
            let record = LeaseRecord(holderIdentity: config.identity, leaseDurationSeconds: durationSeconds,
                                     acquireTime: LeaseRecord.microTime(now), renewTime: LeaseRecord.microTime(now), leaseTransitions: 0)
            let lease: JSONValue = [
                "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": ["name": .string(config.leaseName), "namespace": .string(config.namespace)],
                "spec": record.spec,
            ]
            do {
                let created = try await client.create(.leases, namespace: config.namespace, object: lease)
                observe(LeaseRecord(lease: created), resourceVersion: created.kubeMeta.resourceVersion)
                return true
            } catch {
                logger.debug("could not create the lease", metadata: ["error": "\(error)"])
                return false
            }
        } catch {
            logger.debug("could not read the lease", metadata: ["error": "\(error)"])
            return false
        }

        let current = LeaseRecord(lease: existing)
        observe(current, resourceVersion: existing.kubeMeta.resourceVersion)
        let observedAt = state.withLockedValue { $0.observedAt }
        let heldByOther = !current.holderIdentity.isEmpty && current.holderIdentity != config.identity
        let lease = Duration.seconds(current.leaseDurationSeconds > 0 ? current.leaseDurationSeconds : durationSeconds)
        if heldByOther && observedAt + lease > time.now() {
            return false
        }

        var next = current
        if current.holderIdentity != config.identity {
            next.acquireTime = LeaseRecord.microTime(now)
            next.leaseTransitions = current.leaseTransitions + 1
        }
        next.holderIdentity = config.identity
        next.leaseDurationSeconds = durationSeconds
        next.renewTime = LeaseRecord.microTime(now)
        var updated = existing
        updated["spec"] = next.spec
        do {
            let stored = try await client.update(.leases, namespace: config.namespace, object: updated)
            observe(LeaseRecord(lease: stored), resourceVersion: stored.kubeMeta.resourceVersion)
            return true
        } catch {
            // A conflict means someone else wrote first; the next round re-reads.
            logger.debug("could not update the lease", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// Hands the lease back: no holder and a one-second duration, so a successor takes it at once.
    private func release() async {
        let (record, resourceVersion) = state.withLockedValue { ($0.record, $0.resourceVersion) }
        guard let record, record.holderIdentity == config.identity, let resourceVersion else { return }
        var released = record
        released.holderIdentity = ""
        released.leaseDurationSeconds = 1
        released.renewTime = LeaseRecord.microTime(wallClock())
        let lease: JSONValue = [
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": ["name": .string(config.leaseName), "namespace": .string(config.namespace),
                         "resourceVersion": .string(resourceVersion)],
            "spec": released.spec,
        ]
        // The calling task is cancelled; release in a fresh one so the request can complete.
        let client = self.client
        let namespace = config.namespace
        let logger = self.logger
        await Task {
            do {
                _ = try await client.update(.leases, namespace: namespace, object: lease)
            } catch {
                logger.warning("could not release the lease", metadata: ["error": "\(error)"])
            }
        }.value
    }

    private func observe(_ record: LeaseRecord, resourceVersion: String?) {
        let newLeader: String? = state.withLockedValue { state in
            let previousHolder = state.record?.holderIdentity
            if state.record != record {
                state.record = record
                state.observedAt = time.now()
            }
            state.resourceVersion = resourceVersion
            return previousHolder != record.holderIdentity ? record.holderIdentity : nil
        }
        if let newLeader { onNewLeader(newLeader) }
    }
}

/// Runs `operation`, giving up (nil) after `limit`.
func withTimeout<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async -> T) async -> T? {
    await withTaskGroup(of: T?.self) { group in
        group.addTask { await operation() }
        group.addTask {
            try? await Task.sleep(for: limit)
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}

/// A flag set once from any task.
private final class LockedFlag: Sendable {
    private let value = NIOLockedValueBox(false)
    func set() { value.withLockedValue { $0 = true } }
    var isSet: Bool { value.withLockedValue { $0 } }
}
