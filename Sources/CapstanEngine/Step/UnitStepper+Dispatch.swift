import CapstanAPI

extension UnitStepper {
    /// Starts a `map.workers` item attempt: what its pod would have run goes to the node's
    /// workers instead (SPEC §15). The dispatcher takes each name once, as the API server
    /// creates each pod name once.
    func dispatch(_ record: inout UnitRecord, rendered: PodBuilder.Rendered, inputsURI: String?, workerImage: String,
                  output: inout StepOutput) -> UnitChange {
        guard rendered.image == workerImage else {
            record.phase = .failed
            record.retryAt = nil
            return .failed(AttemptFailure(attempt: record.attempt, index: index, reason: .podRejected, message:
                "the item's image \(rendered.image) is not the workers' image \(workerImage): map.workers runs every item in the "
                + "same worker pods, so the image cannot depend on the item; remove map.workers to run one pod per item",
                finishedAt: now))
        }
        let name = PodNaming.name(workflow: builder.metadata.name, uid: builder.metadata.uid, node: node.name, index: index,
                                  attempt: record.attempt)
        switch facts.podCreates[name] {
        case nil:
            output.actions.append(.dispatchItem(itemDispatch(name: name, attempt: record.attempt, rendered: rendered, inputsURI: inputsURI)))
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

    /// The attempt's pod, as the worker runs it, without building the pod: the main
    /// container's words, literal variables (a `valueFrom` one is the worker pod's own) and
    /// working directory.
    private func itemDispatch(name: String, attempt: Int, rendered: PodBuilder.Rendered, inputsURI: String?) -> ItemDispatch {
        let environment = builder.environment(for: node, index: index, attempt: attempt, rendered: rendered, inputsURI: inputsURI)
        let variables: [EnvironmentVariable] = environment.compactMap { entry in
            guard let name = entry["name"]?.stringValue, let value = entry["value"]?.stringValue,
                  name != "CAPSTAN_OUTPUTS_FILE" else { return nil }
            return EnvironmentVariable(name: name, value: value)
        }
        let workingDirectory = rendered.workingDir.flatMap { $0.isEmpty ? nil : $0 }
        return ItemDispatch(
            name: name, node: node.name, index: index ?? 0, attempt: attempt, arguments: rendered.command + rendered.args,
            environment: variables, workingDirectory: workingDirectory, timeoutSeconds: node.settings.timeout?.seconds)
    }
}
