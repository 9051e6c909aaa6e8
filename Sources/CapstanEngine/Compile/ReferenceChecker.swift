import CapstanAPI

/// Checks that every reference in a node names something that will exist: a declared
/// workflow input, a node and one of its declared outputs, one of the node's own inputs,
/// and `item`/`index` only inside a map.
struct ReferenceChecker {
    let declaredInputs: Set<String>
    let declaredOutputs: [String: Set<String>]
    /// The node's own input names; nil where `node.inputs` means nothing (spec.outputs).
    let nodeInputs: Set<String>?
    let isMap: Bool
    let problems: ProblemList
    /// Nodes that run no pod, by name, with their kind (`sleep`, `approval`): they have no outputs.
    var pauseNodes: [String: String] = [:]
    /// Which nodes are exit nodes, and whether the node checked is one.
    var exitNodes = ExitNodeRules()

    func check(_ references: [Reference], path: String, insideNodeInputs: Bool = false) {
        for reference in references {
            switch reference.root {
            case .input(let name):
                if !declaredInputs.contains(name) {
                    problems.add(path, "\(reference.text): unknown workflow input \"\(name)\"\(suggestion(for: name, among: declaredInputs))")
                }
            case .nodeOutput(let node, let output):
                guard let outputs = declaredOutputs[node] else {
                    problems.add(path, "\(reference.text): unknown node \"\(node)\"\(suggestion(for: node, among: Set(declaredOutputs.keys)))")
                    continue
                }
                if let problem = exitNodes.problem(reading: node) {
                    problems.add(path, "\(reference.text): \(problem)")
                } else if let kind = pauseNodes[node] {
                    problems.add(path, "\(reference.text): node \"\(node)\" is \(kind == "approval" ? "an" : "a") \(kind) node, which produces no outputs")
                } else if !outputs.contains(output) {
                    let declared = outputs.isEmpty ? "it declares no outputs" : "it declares \(outputs.sorted().map { "\"\($0)\"" }.joined(separator: ", "))"
                    problems.add(path, "\(reference.text): node \"\(node)\" has no output \"\(output)\" (\(declared))")
                }
            case .nodeInput(let name):
                if insideNodeInputs {
                    problems.add(path, "\(reference.text): a node's inputs cannot refer to its own inputs")
                } else if let nodeInputs {
                    if !nodeInputs.contains(name) {
                        problems.add(path, "\(reference.text): the node has no input \"\(name)\"\(suggestion(for: name, among: nodeInputs))")
                    }
                } else {
                    problems.add(path, "\(reference.text): node.inputs only exists inside a node")
                }
            case .item, .index:
                if !isMap { problems.add(path, "\(reference.text) is only defined inside a map node") }
            case .workflow(let field):
                if let problem = exitNodes.problem(reading: field) { problems.add(path, "\(reference.text): \(problem)") }
            }
        }
    }

    /// Parses the templates inside a JSON value, reporting syntax errors at `path`.
    static func parse(_ value: JSONValue, path: String, problems: ProblemList) -> TemplatedValue? {
        do {
            return try TemplatedValue.parse(value)
        } catch {
            let where_ = error.path.isEmpty ? path : "\(path)\(error.path.hasPrefix("[") ? "" : ".")\(error.path)"
            problems.add(where_, error.description)
            return nil
        }
    }
}

extension Template {
    /// A template with no references, for text that failed to parse (compilation has failed anyway).
    init(literal text: String) { self.init(source: text, parts: text.isEmpty ? [] : [.text(text)]) }
}

extension TemplatedValue {
    /// The value is one string that is exactly one template, so it keeps the referenced value's type.
    var isWholeTemplate: Bool {
        if case .template(let template) = root { return template.isWholeValue }
        return false
    }
}
