import CapstanAPI

/// Runs one item attempt on a worker and says how it ended. Cancelling the calling task
/// stops the item (the worker is stopping); its result is then not reported.
public protocol ItemExecutor: Sendable {
    func run(_ item: ItemToRun) async -> ItemResult
}
