/// A change to an informer's cache. `key` is `namespace/name` (or `name` when cluster-scoped).
public enum InformerEvent<Summary: Sendable>: Sendable {
    case added(key: String, Summary)
    case updated(key: String, old: Summary, new: Summary)
    /// The last summary the cache held for the object.
    case deleted(key: String, Summary)

    public var key: String {
        switch self {
        case .added(let key, _), .updated(let key, _, _), .deleted(let key, _): return key
        }
    }

    /// The summary after the change; for a deletion, the last one known.
    public var summary: Summary {
        switch self {
        case .added(_, let summary), .deleted(_, let summary): return summary
        case .updated(_, _, let new): return new
        }
    }
}
