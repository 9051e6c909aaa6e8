import CapstanAPI

extension UnitStepper {
    /// Starts a `map.workers` item attempt: what its pod would have run goes to the node's
    /// workers instead (SPEC §15). The dispatcher takes each name once, as the API server
    /// creates each pod name once.
    func dispatch(_ record: inout UnitRecord, request: PodRequest, rendered: PodBuilder.Rendered, workerImage: String,
                  output: inout StepOutput) -> UnitChange {
        guard rendered.image == workerImage else {
            record.phase = .failed
            record.retryAt = nil
            return .failed(AttemptFailure(attempt: record.attempt, index: index, reason: .podRejected, message:
                "the item's image \(rendered.image) is not the workers' image \(workerImage): map.workers runs every item in the "
                + "same worker pods, so the image cannot depend on the item; remove map.workers to run one pod per item",
                finishedAt: now))
        }
        switch facts.podCreates[request.name] {
        case nil:
            output.actions.append(.dispatchItem(itemDispatch(request)))
        case .created:
            break
        case .rejected(let message), .quotaExceeded(let message), .unavailable(let message):
            record.phase = .failed
            record.retryAt = nil
            return .failed(AttemptFailure(attempt: record.attempt, index: index, reason: .podRejected,
                                          message: "the item could not be handed to a worker: \(message)", finishedAt: now))
        }
        output.startBudget -= 1
        record.phase = .running
        record.retryAt = nil
        return .started(attempt: record.attempt)
    }

    /// The attempt's pod, as the worker runs it: the main container's words, literal
    /// variables (a `valueFrom` one is the worker pod's own) and working directory.
    private func itemDispatch(_ request: PodRequest) -> ItemDispatch {
        let container = request.manifest["spec"]?["containers"]?[0]
        let words = (container?["command"]?.arrayValue ?? []) + (container?["args"]?.arrayValue ?? [])
        let variables: [EnvironmentVariable] = (container?["env"]?.arrayValue ?? []).compactMap { entry in
            guard let name = entry["name"]?.stringValue, let value = entry["value"]?.stringValue,
                  name != "CAPSTAN_OUTPUTS_FILE" else { return nil }
            return EnvironmentVariable(name: name, value: value)
        }
        return ItemDispatch(
            name: request.name, node: node.name, index: index ?? 0, attempt: request.attempt, arguments: words.compactMap(\.stringValue),
            environment: variables, workingDirectory: container?["workingDir"]?.stringValue, timeoutSeconds: node.settings.timeout?.seconds)
    }
}
