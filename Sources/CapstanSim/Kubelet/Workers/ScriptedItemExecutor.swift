import CapstanAPI
import CapstanSupport
import CapstanWorker

/// How a scripted worker pod "runs" an item: the pod's `sim.capstan.dev/*` script applied to
/// the item's index and attempt, exactly as it would apply to that item's own pod — the
/// duration is slept, the exit code and outputs reported. A script that ends its pod
/// (`OOMKilled`, `Evicted`, `Preempted`, `NodeLost`) ends the worker pod instead, through
/// `podEnds`, and the item it held is lost with it.
struct ScriptedItemExecutor: ItemExecutor {
    var script: PodScript
    var podEnds: @Sendable (PodOutcome) -> Void

    func run(_ item: ItemToRun) async -> ItemResult {
        let startedAt = Self.now()
        var script = self.script
        script.attempt = item.attempt
        script.index = item.index
        if script.duration > 0 {
            do {
                try await Task.sleep(for: .nanoseconds(Int64((script.duration * 1e9).rounded())))
            } catch {
                // The worker is stopping: this result is never reported.
                return ItemResult(name: item.name, exitCode: 143, startedAt: startedAt, finishedAt: Self.now())
            }
        }
        switch script.outcome {
        case .exited(let code, let message):
            return ItemResult(name: item.name, exitCode: code, outputs: message.map(PodStatusBuilder.truncated),
                              startedAt: startedAt, finishedAt: Self.now())
        case let outcome:
            podEnds(outcome)
            // The pod is ending; the kubelet cancels this loop.
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(60)) }
            return ItemResult(name: item.name, exitCode: 137, startedAt: startedAt, finishedAt: Self.now())
        }
    }

    private static func now() -> String { UTCTime.now().rfc3339(fractionDigits: 6) }
}
