/// Settings of leader election. The defaults are client-go's: a leader that cannot renew
/// for `renewDeadline` steps down, and others take over once `leaseDuration` has passed
/// without a renewal.
public struct LeaderElectionConfig: Sendable {
    public var leaseName: String
    public var namespace: String
    /// Unique per process, e.g. the pod name plus a random suffix.
    public var identity: String
    public var leaseDuration: Duration
    public var renewDeadline: Duration
    public var retryPeriod: Duration
    /// On shutdown, hand the lease back so a successor need not wait for it to expire.
    public var releaseOnCancel: Bool

    public init(leaseName: String, namespace: String, identity: String,
                leaseDuration: Duration = .seconds(15), renewDeadline: Duration = .seconds(10),
                retryPeriod: Duration = .seconds(2), releaseOnCancel: Bool = true) {
        self.leaseName = leaseName
        self.namespace = namespace
        self.identity = identity
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
        self.retryPeriod = retryPeriod
        self.releaseOnCancel = releaseOnCancel
    }

    /// The pause between campaign rounds: `retryPeriod` plus up to 20% (client-go's jitter),
    /// so candidates that started together do not keep colliding.
    var jitteredRetryPeriod: Duration { retryPeriod + retryPeriod * Double.random(in: 0..<0.2) }
}
