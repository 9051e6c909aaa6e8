import NIOCore

/// The event-loop threads of the process's shared SwiftNIO group, which carries the
/// Kubernetes client's connections and the controller's own servers (worker dispatch,
/// metrics, health).
enum NetworkThreads {
    /// One thread. The loop only moves bytes (HTTP framing, TLS): answers and watch events are
    /// decoded on Swift's task pool, so a second loop thread added little but wake-ups, each
    /// request hopping between more threads. Measured on a 50,000-item map
    /// (docs/performance.md): about a tenth less controller CPU with one, and no slower
    /// worker dispatch. Must run before anything uses the group.
    static func configure() {
        NIOSingletons.groupLoopCountSuggestion = 1
    }
}
