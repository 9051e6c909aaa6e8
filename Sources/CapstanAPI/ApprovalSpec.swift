/// `approval: {message, timeout}` on a node (SPEC §12): the node runs no pod and waits for a
/// person's decision in `spec.approvals`, as Argo's `suspend` waits for `argo resume` and
/// Flyte's approve gate for a click.
public struct ApprovalSpec: Sendable, Hashable {
    /// Shown in the node's status while it waits; may hold `{{ }}` templates.
    public var message: String?
    /// How long to wait for a decision; nil waits as long as the workflow runs.
    public var timeout: SpecDuration?

    public init(message: String? = nil, timeout: SpecDuration? = nil) {
        self.message = message
        self.timeout = timeout
    }
}

/// A value of `spec.approvals`: what `capstan approve` and `capstan reject` write.
public enum ApprovalDecision: String, Sendable, Hashable, CaseIterable {
    case approved = "Approved"
    case rejected = "Rejected"
}

extension ApprovalSpec {
    static func read(_ value: JSONValue, path: String, problems: ProblemList) -> ApprovalSpec {
        var approval = ApprovalSpec()
        guard var reader = FieldReader(value, path: path, problems: problems) else { return approval }
        approval.message = reader.string("message")
        approval.timeout = reader.duration("timeout")
        reader.finish()
        return approval
    }
}

extension ApprovalDecision {
    /// Reads `spec.approvals`: node name → `Approved` or `Rejected`. Whether each name is an
    /// approval node is the compiler's question, which knows the nodes.
    static func readAll(_ value: JSONValue?, path: String, problems: ProblemList) -> [String: ApprovalDecision] {
        guard let value else { return [:] }
        guard case .object(let fields) = value else {
            problems.add(path, "must be a map of approval node name to Approved or Rejected, not a \(value.typeName)")
            return [:]
        }
        var decisions: [String: ApprovalDecision] = [:]
        for (node, raw) in fields.sorted(by: { $0.key < $1.key }) {
            guard case .string(let text) = raw, let decision = ApprovalDecision(rawValue: text) else {
                let shown = raw.stringValue ?? raw.jsonString
                problems.add("\(path).\(node)", oneOf(shown, allCases.map(\.rawValue)))
                continue
            }
            decisions[node] = decision
        }
        return decisions
    }
}
