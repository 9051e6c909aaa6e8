import CapstanAPI

extension NodeCompiler {
    /// A `sleep` or `approval` node runs no pod, so it takes none of a task's fields: only
    /// `name`, `dependsOn`, `when` and its own field. `spec.defaults` do not apply to it, so a
    /// workflow's default image or retries never make it invalid.
    mutating func compilePause() -> CompiledNode {
        let field = node.approval != nil ? "approval" : "sleep"
        let noun = node.approval != nil ? "an approval node" : "a sleep node"
        if node.sleep != nil && node.approval != nil {
            problems.add("\(path).approval", "a node either sleeps or waits for approval: set sleep or approval, not both")
        }
        if node.map != nil {
            problems.add("\(path).map", "\(noun) runs no pods, so it cannot be a map")
        }
        if node.dynamic {
            problems.add("\(path).dynamic", "\(noun) runs no task, so it cannot be dynamic")
        }
        for own in node.settings.fieldsSet {
            problems.add("\(path).\(own)", "\(noun) runs no pod: remove \(own) (it takes only name, dependsOn, when and \(field))")
        }
        // No inputs of its own and no map: `node.inputs`, `item` and `index` mean nothing here.
        var checker = ReferenceChecker(
            declaredInputs: Set(spec.inputs.keys), declaredOutputs: declaredOutputs, nodeInputs: [], isMap: false,
            problems: problems)
        checker.pauseNodes = pauseNodes
        checker.exitNodes = exitNodes
        let kind: NodeKind
        if let approval = node.approval {
            let message = approval.message.map { template($0, path: "\(path).approval.message", checker: checker) }
            if let timeout = approval.timeout, timeout.seconds <= 0 {
                problems.add("\(path).approval.timeout", "must be longer than 0s; leave it out to wait as long as the workflow runs")
            }
            kind = .approval(CompiledApproval(message: message, timeout: approval.timeout))
        } else {
            kind = .sleep(node.sleep ?? SpecDuration(seconds: 0))
        }
        let condition = compileWhen(checker: checker)
        checkDependsOn()
        let dataDependencies = Set(references.compactMap(\.node))
        var compiled = CompiledNode(
            name: node.name, position: position, settings: NodeSettings(), image: Template(literal: ""), command: [], args: [],
            env: [], workingDir: nil, inputs: [:], outputs: [], when: condition, map: nil, podLabels: [:], podAnnotations: [:],
            dependencies: Array(Set(node.dependsOn).union(dataDependencies)).sorted(), dataDependencies: dataDependencies)
        compiled.whenSource = node.when
        compiled.kind = kind
        return compiled
    }
}
