/// JSON Merge Patch (RFC 7386) in both directions: objects merge recursively, `null` removes
/// a key, anything else replaces. The controller computes patches so a status write sends only
/// what changed (one node of a large workflow, not the whole status); the simulated API server
/// applies them. One type for both, so the two sides can never disagree on the rules.
public enum MergePatch {
    /// The patch that turns `old` into `new`; nil when they are equal.
    public static func diff(from old: JSONValue?, to new: JSONValue) -> JSONValue? {
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

    /// `target` with `patch` applied.
    public static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        guard case .object(let patchFields) = patch else { return patch }
        var result = target.objectValue ?? [:]
        for (key, value) in patchFields {
            if value.isNull {
                result[key] = nil
            } else {
                result[key] = apply(value, to: result[key] ?? .null)
            }
        }
        return .object(result)
    }
}
