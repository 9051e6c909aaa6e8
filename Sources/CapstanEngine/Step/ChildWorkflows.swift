import CapstanAPI

/// Sub-workflow nodes (SPEC §11): each attempt (of each map item) is a child Workflow running
/// a WorkflowTemplate, named like the pod it stands for, labelled with its parent and owned by
/// it, so deleting the parent deletes its children.
public enum ChildWorkflows {
    /// Children of children... a recursion that never ends stops here.
    public static let maximumDepth = 10
    /// The parent's name (cut to a label value's 63 characters: `parentLabelValue`).
    public static let parentLabel = "capstan.dev/parent"
    /// How deep the child is: 1 for a child of a top-level Workflow.
    public static let depthLabel = "capstan.dev/depth"
    /// The output of a dynamic node's task that holds the Workflow spec it built (SPEC §12).
    public static let dynamicOutput = "workflow"
    /// The largest spec a dynamic node may build, as JSON: the child Workflow must stay under
    /// the API server's 1.5 MiB per object with room for its status.
    public static let maximumBuiltSpecBytes = 1 << 20

    /// The `parentLabel` value of a parent's children: its name, cut to a label value's 63
    /// characters, so a selector on it finds them.
    public static func parentLabelValue(_ parent: String) -> String { String(parent.prefix(63)) }

    /// How deep a Workflow is: 0 for one a person created.
    static func depth(of metadata: ObjectMeta) -> Int { metadata.labels[depthLabel].flatMap(Int.init) ?? 0 }

    /// The child Workflow of one attempt, or nil when it would nest too deep.
    static func request(parent: ObjectMeta, node: String, template: String, index: Int?, attempt: Int,
                        inputs: [String: JSONValue]) -> PodRequest? {
        var spec: JSONValue = ["templateRef": ["name": .string(template)]]
        if !inputs.isEmpty { spec["inputs"] = .object(inputs) }
        return request(parent: parent, node: node, spec: spec, index: index, attempt: attempt)
    }

    /// The child Workflow running the spec a dynamic node's task built; named after the task's
    /// pod with `-w`, so the two never share a name.
    static func dynamicRequest(parent: ObjectMeta, node: String, spec: JSONValue, index: Int?, attempt: Int) -> PodRequest? {
        request(parent: parent, node: node, spec: spec, index: index, attempt: attempt, suffix: "-w")
    }

    private static func request(parent: ObjectMeta, node: String, spec: JSONValue, index: Int?, attempt: Int,
                                suffix: String = "") -> PodRequest? {
        let depth = depth(of: parent) + 1
        guard depth <= maximumDepth else { return nil }
        let name = PodNaming.name(workflow: parent.name, uid: parent.uid, node: node, index: index, attempt: attempt) + suffix
        var labels: [String: JSONValue] = [
            parentLabel: .string(parentLabelValue(parent.name)), depthLabel: .string(String(depth)),
            PodLabels.node: .string(node), PodLabels.attempt: .string(String(attempt)), PodLabels.managedBy: "capstan",
        ]
        if let index { labels[PodLabels.index] = .string(String(index)) }
        let manifest: JSONValue = [
            "apiVersion": .string(Workflow.apiVersion), "kind": .string(Workflow.kind),
            "metadata": [
                "name": .string(name), "namespace": .string(parent.namespace), "labels": .object(labels),
                "ownerReferences": [[
                    "apiVersion": .string(Workflow.apiVersion), "kind": .string(Workflow.kind), "name": .string(parent.name),
                    "uid": .string(parent.uid), "controller": true, "blockOwnerDeletion": true,
                ]],
            ],
            "spec": spec,
        ]
        return PodRequest(name: name, node: node, index: index, attempt: attempt, manifest: manifest, createsWorkflow: true)
    }

    /// How a child's attempt ended: its `status.outputs` give the node's declared outputs.
    static func outcome(of child: ObservedPod, declaredOutputs: [String]) -> AttemptOutcome {
        switch child.phase {
        case .pending, .running, .unknown:
            return .running
        case .failed:
            let why = [child.podReason, child.message].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
            return .failed(AttemptFailureInfo(reason: .error, message: "child workflow \(child.name) failed" + (why.isEmpty ? "" : ": \(why)")))
        case .succeeded:
            let outputs = child.terminationMessage.flatMap { try? JSONValue.parse($0) }?.objectValue ?? [:]
            let missing = declaredOutputs.filter { outputs[$0] == nil }
            guard missing.isEmpty else {
                let has = outputs.keys.sorted()
                return .failed(AttemptFailureInfo(reason: .outputsMissing, message: "child workflow \(child.name) has no output "
                    + missing.map { "\"\($0)\"" }.joined(separator: ", ") + "; its outputs are "
                    + (has.isEmpty ? "none" : has.joined(separator: ", "))))
            }
            return .succeeded(outputs: outputs.filter { declaredOutputs.contains($0.key) })
        }
    }
}
