import CapstanAPI

/// Turns a Workflow's spec into a `CompiledWorkflow`, or into the list of every problem that
/// stops it from running. This is what `capstan validate` runs, and what the controller runs
/// before anything starts.
public enum WorkflowCompiler {
    public static let maximumNodeNameLength = 50

    public static func compile(_ specJSON: JSONValue) -> Result<CompiledWorkflow, InvalidWorkflowError> {
        let (decoded, decodeProblems) = WorkflowSpec.decode(specJSON)
        guard let spec = decoded, decodeProblems.isEmpty else { return .failure(InvalidWorkflowError(decodeProblems)) }
        return compile(spec).map { compiled in
            // Compiled nodes are the main nodes, then the exit nodes, as written.
            let rawNodes = (specJSON["nodes"]?.arrayValue ?? []) + (specJSON["onExit"]?.arrayValue ?? [])
            let defaults = specJSON["defaults"] ?? .null
            let nodes = compiled.nodes.map { node in
                var node = node
                node.definition = ["defaults": defaults, "node": rawNodes.indices.contains(node.position) ? rawNodes[node.position] : .null]
                return node
            }
            return CompiledWorkflow(spec: spec, nodes: nodes, topologicalOrder: compiled.topologicalOrder, outputs: compiled.outputs)
        }
    }

    /// A Workflow's spec as it runs: with `templateRef`, the template's spec under the
    /// Workflow's own fields (the controller passes what it found for the template).
    public static func compile(_ specJSON: JSONValue, namespace: String, template: ObservedTemplate?) -> Result<CompiledWorkflow, InvalidWorkflowError> {
        guard specJSON["templateRef"] != nil else { return compile(specJSON) }
        // The Workflow's own fields are checked as written, before they meet the template's.
        let (_, ownProblems) = WorkflowSpec.decode(specJSON)
        if !ownProblems.isEmpty { return .failure(InvalidWorkflowError(ownProblems)) }
        let name = specJSON["templateRef"]?["name"]?.stringValue ?? ""
        guard let template else {
            // The controller always looks a template up first; this is a caller's mistake, said plainly.
            return .failure(InvalidWorkflowError([Diagnostic(path: "spec.templateRef.name", message: "WorkflowTemplate \"\(name)\" was not looked up")]))
        }
        return TemplateResolution.resolve(specJSON, name: name, namespace: namespace, template: template).flatMap { resolved in
            compile(resolved).map { compiled in
                var compiled = compiled
                if case .found(let spec) = template { compiled.templateSpec = spec }
                return compiled
            }
        }
    }

    public static func compile(_ spec: WorkflowSpec) -> Result<CompiledWorkflow, InvalidWorkflowError> {
        let problems = ProblemList()
        let pauseNodes = PauseNodes.kinds(spec.nodes + spec.onExit)
        let exitNodes = ExitNodeRules(names: Set(spec.onExit.map(\.name)))
        // A node that runs no pod produces no outputs, whatever spec.defaults declares.
        let declaredOutputs = Dictionary(
            (spec.nodes + spec.onExit).map { ($0.name, pauseNodes[$0.name] != nil ? [] : Set($0.settings.inheriting(from: spec.defaults).outputs ?? [])) },
            uniquingKeysWith: { first, _ in first })
        var seen: Set<String> = []
        var nodes: [CompiledNode] = []
        for (position, (node, path, isExitNode)) in spec.nodesWithPaths.enumerated() {
            checkName(node.name, path: "\(path).name", problems: problems)
            if !seen.insert(node.name).inserted {
                let clash = isExitNode && spec.nodes.contains { $0.name == node.name }
                problems.add("\(path).name", clash ? ExitNodeRules.nameClash(node.name) : "duplicate node name \"\(node.name)\"; node names must be unique")
            }
            var compiler = NodeCompiler(
                spec: spec, node: node, position: position, path: path, declaredOutputs: declaredOutputs, problems: problems)
            compiler.pauseNodes = pauseNodes
            compiler.exitNodes = exitNodes.checking(exitNode: isExitNode)
            var compiled = compiler.compile()
            compiled.isExitNode = isExitNode
            compiled.path = path
            nodes.append(compiled)
        }
        PauseNodes.checkApprovals(spec, problems: problems)
        if let recoverFrom = spec.recoverFrom, !DNSName.isSubdomain(recoverFrom) {
            problems.add("spec.recoverFrom", "\"\(recoverFrom)\" is not a valid Workflow name")
        }
        var outputs: [String: TemplatedValue] = [:]
        for (name, value) in spec.outputs.sorted(by: { $0.key < $1.key }) {
            let path = "spec.outputs.\(name)"
            guard let templated = ReferenceChecker.parse(value, path: path, problems: problems) else { continue }
            var checker = ReferenceChecker(
                declaredInputs: Set(spec.inputs.keys), declaredOutputs: declaredOutputs, nodeInputs: nil, isMap: false,
                problems: problems)
            checker.pauseNodes = pauseNodes
            checker.exitNodes = exitNodes
            checker.check(templated.references, path: path)
            outputs[name] = templated
        }
        let order = GraphOrder.topological(nodes, problems: problems)
        if !problems.diagnostics.isEmpty { return .failure(InvalidWorkflowError(problems.diagnostics)) }
        return .success(CompiledWorkflow(spec: spec, nodes: nodes, topologicalOrder: order, outputs: outputs))
    }

    static func checkName(_ name: String, path: String, problems: ProblemList) {
        if name.count > maximumNodeNameLength {
            problems.add(path, "\"\(name)\" is longer than \(maximumNodeNameLength) characters")
        } else if !DNSName.isLabel(name) {
            problems.add(path, "\"\(name)\" must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit")
        }
    }
}

/// Kubernetes name rules.
public enum DNSName {
    public static func isLabel(_ s: String) -> Bool {
        guard !s.isEmpty, s.utf8.count <= 63 else { return false }
        let bytes = Array(s.utf8)
        func alnum(_ b: UInt8) -> Bool { (b >= 97 && b <= 122) || (b >= 48 && b <= 57) }
        return alnum(bytes.first!) && alnum(bytes.last!) && bytes.allSatisfy { alnum($0) || $0 == 45 }
    }

    public static func isSubdomain(_ s: String) -> Bool {
        guard !s.isEmpty, s.utf8.count <= 253 else { return false }
        return s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isLabel(String($0)) }
    }

    /// A label or annotation key: optional DNS subdomain prefix and '/', then a name of up to
    /// 63 characters of alphanumerics, '-', '_' and '.'.
    public static func isQualifiedKey(_ key: String) -> Bool {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let name = parts.last else { return false }
        if parts.count == 2, !isSubdomain(String(parts[0])) { return false }
        return isLabelValue(String(name)) && !name.isEmpty
    }

    public static func isLabelValue(_ value: String) -> Bool {
        guard value.utf8.count <= 63 else { return false }
        if value.isEmpty { return true }
        let bytes = Array(value.utf8)
        func alnum(_ b: UInt8) -> Bool { (b >= 97 && b <= 122) || (b >= 65 && b <= 90) || (b >= 48 && b <= 57) }
        return alnum(bytes.first!) && alnum(bytes.last!) && bytes.allSatisfy { alnum($0) || $0 == 45 || $0 == 95 || $0 == 46 }
    }
}
