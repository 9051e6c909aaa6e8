import CapstanAPI

/// A spec resolved once: defaults applied, templates and conditions parsed, nodes indexed
/// and ordered, every reference checked. Everything after compilation reads this and never
/// the raw spec, so there is one truth about what a node is.
public struct CompiledWorkflow: Sendable {
    /// The spec as written, for what compiling reads; later steps read the fields below.
    let spec: WorkflowSpec
    public let nodes: [CompiledNode]
    /// Node positions in an order where every node comes after its dependencies.
    public let topologicalOrder: [Int]
    public let outputs: [String: TemplatedValue]
    /// The WorkflowTemplate's spec this ran from (`spec.templateRef`), kept in the status.
    public internal(set) var templateSpec: JSONValue?
    private let positions: [String: Int]
    /// The nodes of the main DAG, without `spec.onExit`'s, in spec order; kept once, as each
    /// step of a DAG of thousands of nodes reads them.
    public let mainNodeNames: [String]
    public let hasExitNodes: Bool

    init(spec: WorkflowSpec, nodes: [CompiledNode], topologicalOrder: [Int], outputs: [String: TemplatedValue]) {
        self.spec = spec
        self.nodes = nodes
        self.topologicalOrder = topologicalOrder
        self.outputs = outputs
        self.positions = Dictionary(nodes.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.mainNodeNames = nodes.filter { !$0.isExitNode }.map(\.name)
        self.hasExitNodes = nodes.contains(where: \.isExitNode)
    }

    public subscript(name: String) -> CompiledNode? {
        positions[name].map { nodes[$0] }
    }

    public var inputs: [String: JSONValue] { spec.inputs }
    public var parallelism: Int? { spec.parallelism }
    public var failurePolicy: FailurePolicy { spec.failurePolicy }
    public var activeDeadline: SpecDuration? { spec.activeDeadline }
    public var ttlAfterFinished: SpecDuration? { spec.ttlAfterFinished }
    public var storeGC: StoreGCPolicy { spec.storeGC }
    public var podGC: PodGCPolicy { spec.podGC }
    public var recoverFrom: String? { spec.recoverFrom }
    public var abort: Bool { spec.abort }
    /// Decisions on approval nodes, by node name; the compiler checked every name.
    public var approvals: [String: ApprovalDecision] { spec.approvals }
}

public struct CompiledNode: Sendable {
    public let name: String
    public let position: Int
    /// The node's own settings with `spec.defaults` filled in.
    public let settings: NodeSettings
    public let image: Template
    public let command: [Template]
    public let args: [Template]
    public let env: [CompiledEnvVar]
    public let workingDir: Template?
    public let inputs: [String: TemplatedValue]
    public let outputs: [String]
    public let when: Condition?
    /// `when` as written, for messages.
    public var whenSource: String? = nil
    public let map: CompiledMap?
    public let podLabels: [String: Template]
    public let podAnnotations: [String: Template]
    /// Every node that must finish first: `dependsOn` plus every node referenced.
    public let dependencies: [String]
    /// Nodes whose outputs this node reads; if one is skipped, so is this node.
    public let dataDependencies: Set<String>
    /// The node as written plus the defaults it inherits: what "the same node" means to `recoverFrom`.
    public var definition: JSONValue = .null
    /// A task (the fields above) or a node that runs no pod (`sleep`, `approval`).
    public var kind: NodeKind = .task
    /// An exit node (`spec.onExit`): it starts only once every main node has ended.
    public var isExitNode = false
    /// A task whose `workflow` output is run as a child Workflow (SPEC §12).
    public var isDynamic = false
    /// Where the node is written, such as `spec.nodes[2]` or `spec.onExit[0]`, for messages.
    public var path = ""

    public var retries: Int { settings.retries ?? 0 }
    public var retryBackoff: RetryBackoff { settings.retryBackoff ?? RetryBackoff() }
    public var isInterruptible: Bool { settings.interruptible ?? false }
    public var hasCheckpoint: Bool { settings.checkpoint ?? false }
}

public struct CompiledEnvVar: Sendable {
    public let name: String
    public let value: Template?
    public let valueFrom: JSONValue?
}

public struct CompiledMap: Sendable {
    public let over: TemplatedValue
    public let concurrency: Int?
    public let minSuccessRatio: Double
    /// Items run in this many reusable worker pods instead of a pod each (SPEC §15).
    public let workers: MapWorkers?
}
