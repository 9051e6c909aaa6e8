import CapstanAPI

/// A parsed name such as `nodes.prep.outputs.train[0].path`: a root that the scope supplies,
/// then accessors into the root's JSON value.
///
/// The validator checks roots (unknown node, output or input, `item` outside a map); the
/// engine derives dependencies from `node` (every `nodes.X` reference).
public struct Reference: Sendable, Hashable, CustomStringConvertible {
    public enum Root: Sendable, Hashable {
        /// `inputs.NAME`: a workflow input.
        case input(String)
        /// `nodes.NODE.outputs.NAME`: an output of another node (a list for map nodes).
        case nodeOutput(node: String, output: String)
        /// `node.inputs.NAME`: one of the current node's own resolved inputs.
        case nodeInput(String)
        /// `item`: the current map item.
        case item
        /// `index`: the current map item's 0-based index.
        case index
        /// `workflow.name`, `workflow.namespace`, `workflow.uid`; in exit nodes also
        /// `workflow.phase` and `workflow.failures`.
        case workflow(WorkflowField)
    }

    public enum WorkflowField: String, Sendable, Hashable, CaseIterable {
        case name, namespace, uid, phase, failures

        /// Fields that describe how the main nodes ended, so only exit nodes can read them.
        public var isResult: Bool { self == .phase || self == .failures }
    }

    public enum Accessor: Sendable, Hashable {
        /// `.name` or `["name"]`: a field of an object.
        case field(String)
        /// `[N]`: an item of a list.
        case index(Int)
    }

    public var root: Root
    public var accessors: [Accessor]
    /// 1-based column of the reference's first character in the template or condition.
    public var column: Int

    public init(root: Root, accessors: [Accessor] = [], column: Int = 1) {
        self.root = root
        self.accessors = accessors
        self.column = column
    }

    /// Parses a bare reference path such as `inputs.rates[0]` (no braces).
    public static func parse(_ text: String) throws(ExpressionError) -> Reference {
        let source = SourceText(text)
        let tokens = try ExpressionLexer.tokenize(source, in: 0..<source.count)
        var position = 0
        return try ReferencePathParser.parseWhole(tokens, at: &position)
    }

    /// The node whose outputs this reference reads, if any: a dependency of the reader.
    public var node: String? {
        if case .nodeOutput(let node, _) = root { return node }
        return nil
    }

    /// True for `item` and `index`, which exist only inside a map node's fields.
    public var requiresMapItem: Bool { root == .item || root == .index }

    /// The reference in canonical form, e.g. `nodes.train.outputs.accuracy[2]`.
    public var text: String { rootText + Reference.text(of: accessors[...]) }

    public var description: String { text }

    var rootText: String {
        switch root {
        case .input(let name): return "inputs" + Reference.fieldText(name)
        case .nodeOutput(let node, let output):
            return "nodes" + Reference.fieldText(node) + ".outputs" + Reference.fieldText(output)
        case .nodeInput(let name): return "node.inputs" + Reference.fieldText(name)
        case .item: return "item"
        case .index: return "index"
        case .workflow(let field): return "workflow." + field.rawValue
        }
    }

    static func text(of accessors: ArraySlice<Accessor>) -> String {
        var out = ""
        for accessor in accessors {
            switch accessor {
            case .field(let name): out += fieldText(name)
            case .index(let i): out += "[\(i)]"
            }
        }
        return out
    }

    /// `.name` when the name can be written that way, `["name"]` otherwise.
    static func fieldText(_ name: String) -> String {
        isPlainName(name) ? "." + name : "[" + JSONValue.string(name).jsonString + "]"
    }

    /// Names written after a dot: letters, digits, `_`, and inner `-` (node names are DNS labels).
    static func isPlainName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, let last = name.unicodeScalars.last else { return false }
        guard first != "-", last != "-" else { return false }
        return name.unicodeScalars.allSatisfy { $0.isNameCharacter || $0 == "-" }
    }
}
