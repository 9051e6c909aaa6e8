import CapstanAPI

/// The controller's client-side limit on Kubernetes API requests (`capstan run --kube-qps`)
/// as it stands: its rate, and the longest a request waited for its turn in the last seconds.
public struct APIRateLimit: Sendable, Hashable {
    public var requestsPerSecond: Double
    /// Seconds; 0 while requests do not queue.
    public var recentWait: Double

    public init(requestsPerSecond: Double, recentWait: Double) {
        self.requestsPerSecond = requestsPerSecond
        self.recentWait = recentWait
    }

    /// A wait this long means requests queue behind the limit rather than pass a busy moment.
    static let noticeableWait = 1.0
    static let messagePrefix = "items start at the controller's API rate limit"

    /// The running map node's message while items that could start wait for the limit (a map
    /// at its `concurrency` waits for its own reason): without it a slow map looks stuck.
    /// Any other message is left alone; this one goes once the queue is gone.
    static func note(_ status: inout NodeStatus, itemsWaiting: Int, limit: APIRateLimit?) {
        let ours = status.message?.hasPrefix(messagePrefix) ?? false
        guard status.message == nil || ours else { return }
        if let limit, itemsWaiting > 0, limit.recentWait >= noticeableWait {
            let rate = limit.requestsPerSecond.rounded() == limit.requestsPerSecond ? String(Int(limit.requestsPerSecond)) : String(limit.requestsPerSecond)
            let wait = (limit.recentWait * 10).rounded() / 10
            status.message = "\(messagePrefix) of \(rate) requests/s (--kube-qps): requests wait up to \(wait) s for their turn; "
                + "\(itemsWaiting) item\(itemsWaiting == 1 ? "" : "s") wait to start"
        } else if ours {
            status.message = nil
        }
    }
}
