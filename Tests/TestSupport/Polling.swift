/// Calls `attempt` every `interval` until it gives a value or `timeout` passes (it is always
/// tried once more after the deadline); nil if it never gave one. For effects that land on
/// another task or process: a timer firing, a watch event arriving, a pod starting.
/// The default `timeout` bounds a hang, not a speed: at a suite's start dozens of processes
/// share the cores, and a wait ends the moment its effect lands.
public func poll<T>(timeout: Duration = defaultWait, interval: Duration, _ attempt: () async throws -> T?) async rethrows -> T? {
    let deadline = ContinuousClock.now + timeout
    while true {
        if let value = try await attempt() { return value }
        guard ContinuousClock.now < deadline else { return nil }
        try? await Task.sleep(for: interval)
    }
}

/// Whether `condition` came to hold within `timeout`, checked every `interval`.
public func eventually(timeout: Duration = defaultWait, interval: Duration = .milliseconds(10),
                       _ condition: () async throws -> Bool) async rethrows -> Bool {
    try await poll(timeout: timeout, interval: interval) { try await condition() ? true : nil } ?? false
}

/// How long a wait for an effect in another task or process lasts before it counts as a hang.
public let defaultWait: Duration = .seconds(45)
