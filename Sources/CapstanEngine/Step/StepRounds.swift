/// How one reconcile settles a workflow, the same in the controller and in the engine's
/// tests: the engine steps; the shell carries out the actions whose results the engine
/// awaits (store reads and writes, cache lookups, pod creates) and records them in
/// `ActionResults`; the engine steps again from the same status with those results; until it
/// awaits nothing. Only the last round's status is saved and only its other actions (pod
/// deletes, events, cache writes) are carried out, so nothing is done twice.
public enum StepRounds {
    /// Rounds one reconcile may take. Each round answers every question the engine asked,
    /// and a question answered is not asked again, so a workflow settles in a few; the
    /// bound only stops a loop that a bug would make endless.
    public static let limit = 16
}

extension EngineAction {
    /// The engine waits for this action's result before it decides further.
    public var awaitsResult: Bool {
        switch self {
        case .createPod, .dispatchItem, .persistOutputs, .writeInputs, .archiveNode, .loadOutputs, .gatherOutputs, .lookupCache, .deleteStorePrefix: return true
        case .deletePod, .releaseItem, .abortChildWorkflow, .writeCache, .recordEvent, .deleteWorkflow, .addFinalizer, .removeFinalizer: return false
        }
    }

    /// A pod create or an item dispatch: what a step's start budget counts.
    public var isPodCreate: Bool {
        switch self {
        case .createPod, .dispatchItem: return true
        default: return false
        }
    }
}
