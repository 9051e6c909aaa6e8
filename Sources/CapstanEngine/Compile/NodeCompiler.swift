import CapstanAPI
import Foundation

/// Compiles one node: applies defaults, parses its templates and condition, and checks
/// everything about it that does not need the rest of the graph.
struct NodeCompiler {
    let spec: WorkflowSpec
    let node: NodeSpec
    let position: Int
    let path: String
    let declaredOutputs: [String: Set<String>]
    let problems: ProblemList
    /// Nodes that run no pod, by name, with their kind: referring to their outputs is an error.
    var pauseNodes: [String: String] = [:]
    /// Which nodes are exit nodes, and whether this node is one.
    var exitNodes = ExitNodeRules()
    /// Every reference the node's templates and condition make, for its dependencies.
    var references: [Reference] = []

    init(spec: WorkflowSpec, node: NodeSpec, position: Int, path: String, declaredOutputs: [String: Set<String>], problems: ProblemList) {
        self.spec = spec
        self.node = node
        self.position = position
        self.path = path
        self.declaredOutputs = declaredOutputs
        self.problems = problems
    }

    mutating func compile() -> CompiledNode {
        if node.workflowTemplate != nil, node.sleep != nil || node.approval != nil {
            problems.add("\(path).workflow", "a node runs a child Workflow, sleeps or waits for approval: set one of workflow, sleep and approval")
        }
        if node.sleep != nil || node.approval != nil { return compilePause() }
        let runsChild = node.workflowTemplate != nil
        if runsChild { checkSubWorkflowFields() }
        // A child Workflow takes none of a pod's settings, so the defaults (an image, a pod
        // template) would only make it invalid: it uses its own fields alone.
        let settings = runsChild ? node.settings : node.settings.inheriting(from: spec.defaults)
        let isMap = node.map != nil
        let inputs = compileInputs(settings.inputs ?? [:])
        let nodeInputNames = Set(inputs.keys)
        var checker = ReferenceChecker(
            declaredInputs: Set(spec.inputs.keys), declaredOutputs: declaredOutputs, nodeInputs: nodeInputNames,
            isMap: isMap, problems: problems)
        checker.pauseNodes = pauseNodes
        checker.exitNodes = exitNodes

        if !runsChild, settings.image == nil || settings.image?.isEmpty == true {
            problems.add("\(path).image", "is required: set it on the node or in spec.defaults")
        }
        let image = template(settings.image ?? "", path: "\(path).image", checker: checker)
        let command = (settings.command ?? []).enumerated().map { template($1, path: "\(path).command[\($0)]", checker: checker) }
        let args = (settings.args ?? []).enumerated().map { template($1, path: "\(path).args[\($0)]", checker: checker) }
        var envNames: Set<String> = []
        let env = (settings.env ?? []).enumerated().map { i, variable in
            let envPath = "\(path).env[\(i)]"
            if !Self.isEnvName(variable.name) {
                problems.add("\(envPath).name", "\"\(variable.name)\" is not a valid environment variable name")
            } else if variable.name.hasPrefix("CAPSTAN_") {
                problems.add("\(envPath).name", "\"\(variable.name)\" is reserved: CAPSTAN_ variables are set by Capstan")
            } else if !envNames.insert(variable.name).inserted {
                problems.add("\(envPath).name", "duplicate environment variable \"\(variable.name)\"")
            }
            return CompiledEnvVar(
                name: variable.name, value: variable.value.map { template($0, path: "\(envPath).value", checker: checker) },
                valueFrom: variable.valueFrom)
        }
        SecretChecker(path: path, problems: problems)
            .check(settings.secrets ?? [], envNames: envNames, podTemplate: settings.podTemplate)
        let workingDir = settings.workingDir.map { template($0, path: "\(path).workingDir", checker: checker) }
        for (name, value) in inputs.sorted(by: { $0.key < $1.key }) {
            checker.check(value.references, path: "\(path).inputs.\(name)", insideNodeInputs: true)
            references += value.references
        }
        let outputs = settings.outputs ?? []
        var outputNames: Set<String> = []
        for (i, output) in outputs.enumerated() {
            if !isIdentifier(output) {
                problems.add("\(path).outputs[\(i)]", "\"\(output)\" must be a name of letters, digits, '_' and '-'")
            } else if !outputNames.insert(output).inserted {
                problems.add("\(path).outputs[\(i)]", "duplicate output \"\(output)\"")
            }
        }
        let condition = compileWhen(checker: checker)
        let map = node.map.map { compileMap($0, checker: checker) }
        let labels = compileMetadata(settings.podMetadata?.labels ?? [:], kind: "labels", checker: checker)
        let annotations = compileMetadata(settings.podMetadata?.annotations ?? [:], kind: "annotations", checker: checker)
        checkDependsOn()
        checkResources(settings.resources)

        let dataDependencies = Set(references.compactMap(\.node))
        let dependencies = Array(Set(node.dependsOn).union(dataDependencies)).sorted()
        var compiled = CompiledNode(
            name: node.name, position: position, settings: settings, image: image, command: command, args: args, env: env,
            workingDir: workingDir, inputs: inputs, outputs: outputs, when: condition, map: map, podLabels: labels,
            podAnnotations: annotations, dependencies: dependencies, dataDependencies: dataDependencies)
        compiled.whenSource = node.when
        if let template = node.workflowTemplate { compiled.kind = .subWorkflow(template: template) }
        if node.dynamic {
            checkDynamic(outputs: outputs)
            compiled.isDynamic = true
        }
        checkWorkers(image: image)
        return compiled
    }

    /// `map.workers` runs every item in the same pods: only a task whose image is the same
    /// for every item can (SPEC §15).
    private func checkWorkers(image: Template) {
        guard node.map?.workers != nil else { return }
        let workersPath = "\(path).map.workers"
        if node.workflowTemplate != nil || node.dynamic {
            problems.add(workersPath, "runs items in worker pods, and this node's items are child Workflows: remove map.workers")
        }
        if image.references.contains(where: { $0.root == .item || $0.root == .index }) {
            problems.add(workersPath, "runs every item in the same worker pods, so the image cannot depend on {{ item }} or {{ index }}")
        }
    }

    /// A node that runs a child Workflow takes the fields that shape its attempts and data —
    /// inputs, outputs, retries, retryBackoff, cache, map — and none that shape a pod.
    private func checkSubWorkflowFields() {
        let allowed: Set<String> = ["inputs", "outputs", "retries", "retryBackoff", "cache"]
        for field in node.settings.fieldsSet where !allowed.contains(field) {
            problems.add("\(path).\(field)", "a node that runs a child Workflow has no pod of its own: remove \(field) "
                         + "(set it in the WorkflowTemplate \"\(node.workflowTemplate ?? "")\" instead)")
        }
    }

    /// A dynamic node is a task whose declared outputs include `workflow`, the spec it builds.
    private func checkDynamic(outputs: [String]) {
        if node.workflowTemplate != nil {
            problems.add("\(path).dynamic", "a node that runs a WorkflowTemplate cannot also be dynamic: dynamic is for tasks that build a Workflow spec")
        } else if node.map != nil {
            problems.add("\(path).dynamic", "a map node cannot be dynamic: make each item's work a node of the Workflow the dynamic node builds")
        } else if !outputs.contains(ChildWorkflows.dynamicOutput) {
            problems.add("\(path).outputs", "a dynamic node must declare the output \"\(ChildWorkflows.dynamicOutput)\": the Workflow spec its task builds")
        }
    }

    mutating func compileWhen(checker: ReferenceChecker) -> Condition? {
        guard let when = node.when else { return nil }
        do {
            let parsed = try Condition.parse(when)
            checker.check(parsed.references, path: "\(path).when")
            references += parsed.references
            return parsed
        } catch {
            problems.add("\(path).when", error.description)
            return nil
        }
    }

    mutating func template(_ text: String, path: String, checker: ReferenceChecker) -> Template {
        do {
            let parsed = try Template.parse(text)
            checker.check(parsed.references, path: path)
            references += parsed.references
            return parsed
        } catch {
            problems.add(path, error.description)
            return Template(literal: text)
        }
    }

    private func compileInputs(_ inputs: [String: JSONValue]) -> [String: TemplatedValue] {
        var result: [String: TemplatedValue] = [:]
        for (name, value) in inputs {
            if let parsed = ReferenceChecker.parse(value, path: "\(path).inputs.\(name)", problems: problems) {
                result[name] = parsed
            }
        }
        return result
    }

    private mutating func compileMap(_ map: MapSpec, checker: ReferenceChecker) -> CompiledMap {
        let overPath = "\(path).map.over"
        var over = TemplatedValue(root: .constant(.array([])))
        if let parsed = ReferenceChecker.parse(map.over, path: overPath, problems: problems) {
            over = parsed
            if case .string = map.over, !parsed.isWholeTemplate {
                problems.add(overPath, "must be exactly one template, such as \"{{ inputs.items }}\", so that it keeps its list type")
            }
            for reference in parsed.references where reference.root == .item || reference.root == .index {
                problems.add(overPath, "\(reference.text) cannot be used in map.over: items do not exist until the list is known")
            }
            var outside = ReferenceChecker(
                declaredInputs: checker.declaredInputs, declaredOutputs: checker.declaredOutputs, nodeInputs: nil, isMap: true,
                problems: problems)
            outside.pauseNodes = pauseNodes
            outside.exitNodes = exitNodes
            outside.check(parsed.references.filter { $0.root != .item && $0.root != .index }, path: overPath)
            references += parsed.references
        }
        return CompiledMap(over: over, concurrency: map.concurrency, minSuccessRatio: map.minSuccessRatio, workers: map.workers)
    }

    private mutating func compileMetadata(_ values: [String: String], kind: String, checker: ReferenceChecker) -> [String: Template] {
        var result: [String: Template] = [:]
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            let fieldPath = "\(path).podMetadata.\(kind).\(key)"
            if !DNSName.isQualifiedKey(key) {
                problems.add(fieldPath, "\"\(key)\" is not a valid Kubernetes \(kind == "labels" ? "label" : "annotation") key")
            } else if key.hasPrefix("capstan.dev/") {
                problems.add(fieldPath, "keys under capstan.dev/ are reserved for Capstan")
            }
            // A value written out (no template) is checked now; a rendered one is checked by
            // the API server, and its refusal fails the node with PodRejected.
            if kind == "labels", !value.contains("{{"), !DNSName.isLabelValue(value) {
                problems.add(fieldPath, "\"\(value)\" is not a valid label value: Kubernetes allows at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit")
            }
            result[key] = template(value, path: fieldPath, checker: checker)
        }
        return result
    }

    func checkDependsOn() {
        let known = Set(spec.nodes.map(\.name)).union(exitNodes.names)
        var listed: Set<String> = []
        for (i, dependency) in node.dependsOn.enumerated() {
            let depPath = "\(path).dependsOn[\(i)]"
            if dependency == node.name {
                problems.add(depPath, "node \"\(node.name)\" cannot depend on itself")
            } else if !known.contains(dependency) {
                problems.add(depPath, "unknown node \"\(dependency)\"\(suggestion(for: dependency, among: known))")
            } else if let problem = exitNodes.problem(dependingOn: dependency) {
                problems.add(depPath, problem)
            } else if !listed.insert(dependency).inserted {
                problems.add(depPath, "\"\(dependency)\" is listed twice")
            }
        }
    }

    private func checkResources(_ resources: ResourceRequirements?) {
        guard let resources else { return }
        for (kind, values) in [("requests", resources.requests), ("limits", resources.limits)] {
            for name in values.keys.sorted() where !DNSName.isQualifiedKey(name) {
                problems.add("\(path).resources.\(kind).\(name)", "\"\(name)\" is not a valid resource name")
            }
        }
        // Extended resources (GPUs, Neuron devices, any domain/name outside kubernetes.io)
        // cannot be overcommitted: the API server refuses a pod without their limit.
        let extended = Set(resources.requests.keys).union(resources.limits.keys).filter(ResourceRequirements.isExtended).sorted()
        for name in extended {
            let limit = resources.limits[name]
            if limit == nil {
                problems.add("\(path).resources.limits.\(name)", "\(name) cannot be overcommitted: Kubernetes requires a limit for it (a request, if given, equal to the limit)")
            } else if let request = resources.requests[name], request != limit {
                problems.add("\(path).resources.requests.\(name)", "\(name) requests must equal its limit, as Kubernetes requires")
            }
            for (kind, values) in [("requests", resources.requests), ("limits", resources.limits)] {
                if let amount = values[name], Decimal(amount.integerValue) != amount.value {
                    problems.add("\(path).resources.\(kind).\(name)", "\(name) is counted in whole units, not \(amount)")
                }
            }
        }
    }

    /// Kubernetes' rule for environment variable names (`IsEnvVarName`).
    static func isEnvName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-.".unicodeScalars.contains($0)) }
    }

    private func isIdentifier(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-") }
    }
}

func suggestion(for name: String, among known: Set<String>) -> String {
    let close = known.filter { editDistance($0, name) <= 2 }.sorted()
    if let best = close.first { return "; did you mean \"\(best)\"?" }
    if known.isEmpty { return "" }
    let listed = known.sorted().prefix(8).map { "\"\($0)\"" }.joined(separator: ", ")
    return " (known: \(listed)\(known.count > 8 ? ", ..." : ""))"
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + [Int](repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
