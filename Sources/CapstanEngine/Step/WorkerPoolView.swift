import CapstanAPI

/// What the controller's dispatcher knows of one `map.workers` node's worker pods (SPEC §15):
/// which have polled it and which have nothing to do. Item attempts themselves reach the
/// engine as `ObservedPod`s with `isWorkerItem`.
public struct WorkerPoolView: Sendable, Hashable {
    /// When this controller began taking polls. A worker pod that was running before then
    /// may hold an item this controller has not heard of until the pod polls.
    public var listeningSince: Timestamp
    /// Worker pods, by name, that have polled this controller, with their latest poll.
    public var lastPoll: [String: Timestamp]
    /// Worker pods that run nothing and have no item waiting for them, with since when.
    public var idleSince: [String: Timestamp]

    public init(listeningSince: Timestamp, lastPoll: [String: Timestamp] = [:], idleSince: [String: Timestamp] = [:]) {
        self.listeningSince = listeningSince
        self.lastPoll = lastPoll
        self.idleSince = idleSince
    }
}
