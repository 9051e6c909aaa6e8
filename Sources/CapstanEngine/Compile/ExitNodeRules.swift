import CapstanAPI

/// What the compiler checks about exit nodes (`spec.onExit`, SPEC §11). They run once every
/// main node has ended, so nothing in the main DAG can wait for them or read them, and only
/// they can read how the main nodes ended (`workflow.phase`, `workflow.failures`).
struct ExitNodeRules {
    /// Names of the exit nodes.
    var names: Set<String> = []
    /// Whether the node being checked is itself an exit node.
    var insideExitNode = false

    /// The same rules, for checking a node that is (or is not) an exit node.
    func checking(exitNode: Bool) -> ExitNodeRules {
        var rules = self
        rules.insideExitNode = exitNode
        return rules
    }

    /// Why reading `node`'s outputs from here is wrong, if it is.
    func problem(reading node: String) -> String? {
        guard names.contains(node), !insideExitNode else { return nil }
        return "node \(quoted(node)) is an exit node (spec.onExit), which runs after the main nodes have ended; "
            + "only other exit nodes can read its outputs"
    }

    /// Why listing `node` in `dependsOn` here is wrong, if it is.
    func problem(dependingOn node: String) -> String? {
        guard names.contains(node), !insideExitNode else { return nil }
        return "node \(quoted(node)) is an exit node (spec.onExit): it runs after every main node has ended, "
            + "so a main node cannot depend on it"
    }

    /// Why reading `workflow.phase` or `workflow.failures` here is wrong, if it is.
    func problem(reading field: Reference.WorkflowField) -> String? {
        guard field.isResult, !insideExitNode else { return nil }
        return "only exit nodes (spec.onExit) can read workflow.\(field.rawValue): it says how the main nodes ended"
    }

    static func nameClash(_ name: String) -> String {
        "\(quoted(name)) is already the name of a main node; exit nodes share status.nodes with them, so names must differ"
    }
}

extension WorkflowSpec {
    /// The main nodes, then the exit nodes, each with its field path: the order of `CompiledWorkflow.nodes`.
    var nodesWithPaths: [(node: NodeSpec, path: String, isExitNode: Bool)] {
        nodes.enumerated().map { ($1, "spec.nodes[\($0)]", false) }
            + onExit.enumerated().map { ($1, "spec.onExit[\($0)]", true) }
    }
}
