import Foundation

/// Polls `condition` until it holds or `timeout` passes; returns whether it held. For
/// effects that land on another task (a timer firing, a watch event arriving).
func eventually(timeout: Duration = .seconds(45), poll: Duration = .milliseconds(10),
                _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: poll)
    }
    return try await condition()
}
