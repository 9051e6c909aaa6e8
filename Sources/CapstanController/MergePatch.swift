import CapstanAPI

/// RFC 7386 merge patches computed from two versions of a value, so a status write sends
/// only what changed (one node of a large workflow, not the whole status).
enum MergePatch {
    /// The patch that turns `old` into `new`; nil when they are equal.
    static func diff(from old: JSONValue?, to new: JSONValue) -> JSONValue? {
        guard let old else { return new }
        if old == new { return nil }
        guard case .object(let oldFields) = old, case .object(let newFields) = new else { return new }
        var patch: [String: JSONValue] = [:]
        for (key, value) in newFields {
            if let change = diff(from: oldFields[key], to: value) { patch[key] = change }
        }
        for key in oldFields.keys where newFields[key] == nil { patch[key] = .null }
        return patch.isEmpty ? nil : .object(patch)
    }
}
