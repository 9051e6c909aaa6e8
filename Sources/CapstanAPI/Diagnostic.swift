/// One problem found in a Workflow, located by its field path (`spec.nodes[2].timeout`).
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// Thrown when a workflow is invalid; carries every problem found, not only the first.
public struct InvalidWorkflowError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]
    /// The workflow's `status.reason` when this stops it: `InvalidSpec`, or `TemplateNotFound`.
    public var reason: String

    public init(_ diagnostics: [Diagnostic], reason: String = "InvalidSpec") {
        self.diagnostics = diagnostics
        self.reason = reason
    }

    public var description: String { diagnostics.map(\.description).joined(separator: "; ") }
}
