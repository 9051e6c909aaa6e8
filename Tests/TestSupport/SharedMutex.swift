import Synchronization

/// A `Mutex` that test tasks can share. A `Mutex` is not copyable, so a local one cannot be
/// captured by the tasks that need it; this class holds it so that they share a reference.
public final class SharedMutex<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    public init(_ value: Value) { mutex = Mutex(value) }

    public func withLock<Result: Sendable, Failure: Error>(
        _ body: (inout Value) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try mutex.withLock { (value: inout sending Value) throws(Failure) -> sending Result in try body(&value) }
    }
}
