import CapstanAPI

/// What a scope knows about one reference root.
public enum ScopeLookup: Sendable, Hashable {
    case value(JSONValue)
    /// The root reads outputs of a node that was skipped; the reader is skipped too.
    case skipped(node: String)
    /// The value does not exist; the reason is shown to the user after the reference text.
    case missing(String)
}

/// Supplies the values behind reference roots when templates are rendered and conditions
/// evaluated. `ExpressionValues` is the plain implementation; the engine may bring its own,
/// for example one that reads node outputs lazily.
public protocol ExpressionScope {
    func lookup(_ root: Reference.Root) -> ScopeLookup
}

/// A scope built from dictionaries: everything a node's templates can see.
public struct ExpressionValues: ExpressionScope, Sendable, Hashable {
    public var inputs: [String: JSONValue]
    /// Outputs per finished node; a map node's outputs are index-ordered lists.
    public var nodeOutputs: [String: [String: JSONValue]]
    /// Nodes in phase `Skipped`: reading their outputs yields `.skipped`.
    public var skippedNodes: Set<String>
    /// The current node's resolved `inputs`; nil while those inputs are themselves being resolved.
    public var nodeInputs: [String: JSONValue]?
    /// The current map item and its index; nil outside a map node.
    public var item: JSONValue?
    public var index: Int?
    public var workflowName: String
    public var workflowNamespace: String
    public var workflowUID: String
    /// How the main nodes ended, as exit nodes read it; nil before they have.
    public var workflowResult: WorkflowResultValues?

    public init(
        inputs: [String: JSONValue] = [:],
        nodeOutputs: [String: [String: JSONValue]] = [:],
        skippedNodes: Set<String> = [],
        nodeInputs: [String: JSONValue]? = nil,
        item: JSONValue? = nil,
        index: Int? = nil,
        workflowName: String = "",
        workflowNamespace: String = "",
        workflowUID: String = ""
    ) {
        self.inputs = inputs
        self.nodeOutputs = nodeOutputs
        self.skippedNodes = skippedNodes
        self.nodeInputs = nodeInputs
        self.item = item
        self.index = index
        self.workflowName = workflowName
        self.workflowNamespace = workflowNamespace
        self.workflowUID = workflowUID
    }

    public func lookup(_ root: Reference.Root) -> ScopeLookup {
        switch root {
        case .input(let name):
            if let value = inputs[name] { return .value(value) }
            return .missing("the workflow has no input \(quoted(name))")
        case .nodeOutput(let node, let output):
            if skippedNodes.contains(node) { return .skipped(node: node) }
            guard let outputs = nodeOutputs[node] else {
                return .missing("node \(quoted(node)) has no outputs (it has not succeeded)")
            }
            if let value = outputs[output] { return .value(value) }
            return .missing("node \(quoted(node)) has no output \(quoted(output))")
        case .nodeInput(let name):
            guard let nodeInputs else {
                return .missing("node inputs cannot be read while the node's inputs are being resolved")
            }
            if let value = nodeInputs[name] { return .value(value) }
            return .missing("the node has no input \(quoted(name))")
        case .item:
            if let item { return .value(item) }
            return .missing("item is only defined inside a map node")
        case .index:
            if let index { return .value(.number(Double(index))) }
            return .missing("index is only defined inside a map node")
        case .workflow(.name): return .value(.string(workflowName))
        case .workflow(.namespace): return .value(.string(workflowNamespace))
        case .workflow(.uid): return .value(.string(workflowUID))
        case .workflow(.phase):
            guard let workflowResult else { return .missing(WorkflowResultValues.notYet) }
            return .value(.string(workflowResult.phase))
        case .workflow(.failures):
            guard let workflowResult else { return .missing(WorkflowResultValues.notYet) }
            return .value(.array(workflowResult.failures))
        }
    }
}

func quoted(_ name: String) -> String { JSONValue.string(name).jsonString }
