import CapstanAPI

/// `{{ workflow.phase }}` and `{{ workflow.failures }}`: what exit nodes (`spec.onExit`) know
/// of how the main nodes ended.
public struct WorkflowResultValues: Sendable, Hashable {
    /// `Succeeded` or `Failed`; an aborted workflow reads `Failed`, as the SPEC names only these two.
    public var phase: String
    /// `{node, reason, message}` for each main node that failed or was stopped while it ran.
    public var failures: [JSONValue]

    public init(phase: String, failures: [JSONValue]) {
        self.phase = phase
        self.failures = failures
    }

    static let notYet = "workflow.phase and workflow.failures are only known to exit nodes (spec.onExit)"
}
