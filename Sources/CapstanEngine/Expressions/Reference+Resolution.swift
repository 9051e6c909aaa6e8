import CapstanAPI

extension Reference {
    /// The value the reference names in `scope`, or an error that quotes the reference text,
    /// e.g. `nodes.a.outputs.x[5]: index 5 out of range for list of 3`.
    public func resolve(in scope: some ExpressionScope) throws(ExpressionError) -> JSONValue {
        var current: JSONValue
        switch scope.lookup(root) {
        case .value(let value):
            current = value
        case .skipped(let node):
            throw ExpressionError(
                .skippedNode, column: column,
                "\(text): node \(quoted(node)) was skipped, so it has no outputs", skippedNode: node)
        case .missing(let reason):
            throw ExpressionError(.missingValue, column: column, "\(text): \(reason)")
        }
        for accessor in accessors {
            switch Reference.apply(accessor, to: current) {
            case .success(let next): current = next
            case .failure(let failure):
                throw ExpressionError(failure.kind, column: column, "\(text): \(failure.message)")
            }
        }
        return current
    }

    struct AccessFailure: Error {
        var kind: ExpressionError.Kind
        var message: String
    }

    /// One accessor step, shared with conditions' `.field` and `[index]` on computed values.
    static func apply(_ accessor: Accessor, to value: JSONValue) -> Result<JSONValue, AccessFailure> {
        switch (accessor, value) {
        case (.field(let name), .object(let fields)):
            if let found = fields[name] { return .success(found) }
            return .failure(AccessFailure(kind: .missingValue, message: missingFieldMessage(name, in: fields)))
        case (.field(let name), _):
            return .failure(AccessFailure(
                kind: .typeMismatch, message: "cannot read field \(quoted(name)) of \(value.typePhrase)"))
        case (.index(let i), .array(let items)):
            if items.indices.contains(i) { return .success(items[i]) }
            let size = items.isEmpty ? "an empty list" : "list of \(items.count)"
            return .failure(AccessFailure(kind: .missingValue, message: "index \(i) out of range for \(size)"))
        case (.index(let i), .object):
            return .failure(AccessFailure(
                kind: .typeMismatch,
                message: "cannot use index [\(i)] on an object; read a field with .name or [\"name\"]"))
        case (.index(let i), _):
            return .failure(AccessFailure(kind: .typeMismatch, message: "cannot use index [\(i)] on \(value.typePhrase)"))
        }
    }

    static func missingFieldMessage(_ name: String, in fields: [String: JSONValue]) -> String {
        if fields.isEmpty { return "no field \(quoted(name)) in an empty object" }
        let known = fields.keys.sorted()
        var listed = known.prefix(8).joined(separator: ", ")
        if known.count > 8 { listed += ", …" }
        return "no field \(quoted(name)) in object (it has: \(listed))"
    }
}
