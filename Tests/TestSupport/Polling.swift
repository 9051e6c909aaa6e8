/// Calls `attempt` every `interval` until it gives a value or `timeout` passes (it is always
/// tried once more after the deadline); nil if it never gave one. For effects that land on
/// another task or process: a timer firing, a watch event arriving, a pod starting.
public func poll<T>(timeout: Duration, interval: Duration, _ attempt: () async throws -> T?) async rethrows -> T? {
    let deadline = ContinuousClock.now + timeout
    while true {
        if let value = try await attempt() { return value }
        guard ContinuousClock.now < deadline else { return nil }
        try? await Task.sleep(for: interval)
    }
}

/// Whether `condition` came to hold within `timeout`, checked every `interval`.
public func eventually(timeout: Duration = .seconds(45), interval: Duration = .milliseconds(10),
                       _ condition: () async throws -> Bool) async rethrows -> Bool {
    try await poll(timeout: timeout, interval: interval) { try await condition() ? true : nil } ?? false
}
