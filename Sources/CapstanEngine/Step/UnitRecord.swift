import CapstanAPI

/// One thing that runs as a pod with attempts: a task node, or one item of a map node.
/// Task and map handlers keep these in different shapes in the status and share the logic.
struct UnitRecord: Equatable {
    var phase: ItemPhase
    var userFailures: Int
    var systemFailures: Int
    var retryAt: Timestamp?

    /// The attempt number of the current (or next) pod.
    var attempt: Int { userFailures + systemFailures }
}

/// Where a unit's outputs came from.
enum UnitOrigin: Equatable {
    case ran, cache, recovered
}

/// What one step did to a unit, for the handler to fold into its node's status.
enum UnitChange {
    case unchanged
    case started(attempt: Int)
    case retrying(AttemptFailure)
    case succeeded(UnitOrigin)
    case failed(AttemptFailure)
    /// The API server refused the pod for a reason that passes: the unit is still pending,
    /// no attempt was used, and its node waits before creating pods again.
    case createRefused(CreateRefusal)
    /// The unit could not be started or finished for a reason that is not an attempt failure
    /// (a template that cannot be rendered): the node fails with this message.
    case broken(String)
}
