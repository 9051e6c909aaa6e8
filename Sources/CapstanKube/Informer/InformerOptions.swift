import CapstanSupport

/// Tuning of an informer's list+watch loop.
public struct InformerOptions: Sendable {
    /// Items per list request when (re)listing.
    public var pageSize: Int
    /// Each watch asks the server to end after a random time in this range (client-go uses
    /// 5–10 minutes), so connections are recycled and load spreads.
    public var watchTimeout: ClosedRange<Int>
    /// Delay before reconnecting after a failed list or watch.
    public var backoff: Backoff
    /// Parts of each object the transform never reads, as key paths from the object's top
    /// (`["spec"]`, `["metadata", "managedFields"]`): watch events are decoded without them,
    /// which saves most of the work on a busy collection.
    public var ignoredPaths: [[String]]

    public init(pageSize: Int = 500, watchTimeout: ClosedRange<Int> = 300...600,
                backoff: Backoff = Backoff(initial: .milliseconds(200), maximum: .seconds(30)), ignoredPaths: [[String]] = []) {
        self.pageSize = pageSize
        self.watchTimeout = watchTimeout
        self.backoff = backoff
        self.ignoredPaths = ignoredPaths
    }
}
