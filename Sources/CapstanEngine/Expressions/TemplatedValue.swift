import CapstanAPI

/// A JSON value whose strings may hold templates anywhere in the tree (a node's `inputs`,
/// `map.over`, `spec.outputs`), parsed once. Object keys are never templates.
public struct TemplatedValue: Sendable, Hashable {
    indirect enum Node: Sendable, Hashable {
        case constant(JSONValue)
        case template(Template)
        case array([Node])
        case object([String: Node])
    }

    let root: Node

    /// Parses every string in `value`; throws the first problem (see `problems(in:)` for all).
    public static func parse(_ value: JSONValue) throws(ExpressionError) -> TemplatedValue {
        var problems: [ExpressionError] = []
        let root = build(value, path: "", problems: &problems)
        if let first = problems.first { throw first }
        return TemplatedValue(root: root)
    }

    /// Every template syntax problem in `value`, each with `path` set to where the string sits,
    /// in a stable order (object keys sorted).
    public static func problems(in value: JSONValue) -> [ExpressionError] {
        var problems: [ExpressionError] = []
        _ = build(value, path: "", problems: &problems)
        return problems
    }

    private static func build(_ value: JSONValue, path: String, problems: inout [ExpressionError]) -> Node {
        switch value {
        case .string(let s):
            guard s.contains("{{") else { return .constant(value) }
            do {
                let template = try Template.parse(s)
                return template.isLiteral ? .constant(value) : .template(template)
            } catch {
                problems.append(error.at(path: path))
                return .constant(value)
            }
        case .array(let items):
            var nodes: [Node] = []
            nodes.reserveCapacity(items.count)
            for (i, item) in items.enumerated() {
                nodes.append(build(item, path: path + "[\(i)]", problems: &problems))
            }
            return nodes.allSatisfy(\.isConstant) ? .constant(value) : .array(nodes)
        case .object(let fields):
            var nodes: [String: Node] = [:]
            for key in fields.keys.sorted() {
                nodes[key] = build(fields[key]!, path: path + Reference.fieldText(key), problems: &problems)
            }
            return nodes.values.allSatisfy(\.isConstant) ? .constant(value) : .object(nodes)
        default:
            return .constant(value)
        }
    }

    /// True when the value holds no templates: rendering returns it unchanged.
    public var isConstant: Bool { root.isConstant }

    /// Every reference, in a stable order (object keys sorted, then list order, then text order).
    public var references: [Reference] {
        var out: [Reference] = []
        root.collectReferences(into: &out)
        return out
    }

    /// Names of the nodes whose outputs the value reads.
    public var referencedNodes: Set<String> { Set(references.compactMap(\.node)) }

    /// Renders every template; an error's `path` says where in the tree it happened.
    public func render(_ scope: some ExpressionScope) throws(ExpressionError) -> JSONValue {
        try root.render(scope, path: "")
    }
}

extension TemplatedValue.Node {
    var isConstant: Bool {
        if case .constant = self { return true }
        return false
    }

    func collectReferences(into out: inout [Reference]) {
        switch self {
        case .constant: return
        case .template(let template): out += template.references
        case .array(let nodes): for node in nodes { node.collectReferences(into: &out) }
        case .object(let nodes): for key in nodes.keys.sorted() { nodes[key]!.collectReferences(into: &out) }
        }
    }

    func render(_ scope: some ExpressionScope, path: String) throws(ExpressionError) -> JSONValue {
        switch self {
        case .constant(let value):
            return value
        case .template(let template):
            do {
                return try template.render(scope)
            } catch {
                throw error.at(path: path)
            }
        case .array(let nodes):
            var items: [JSONValue] = []
            items.reserveCapacity(nodes.count)
            for (i, node) in nodes.enumerated() { items.append(try node.render(scope, path: path + "[\(i)]")) }
            return .array(items)
        case .object(let nodes):
            var fields: [String: JSONValue] = [:]
            fields.reserveCapacity(nodes.count)
            for key in nodes.keys.sorted() {
                fields[key] = try nodes[key]!.render(scope, path: path + Reference.fieldText(key))
            }
            return .object(fields)
        }
    }
}
