/// The informer's store: one caller-chosen summary per object, the object's resourceVersion,
/// and secondary indexes (index name → value → keys). Pure value, so its bookkeeping is
/// tested without a server.
struct InformerCache<Summary: Sendable>: Sendable {
    typealias IndexFunction = @Sendable (Summary) -> [String]

    struct Entry: Sendable {
        var summary: Summary
        var resourceVersion: String
    }

    private(set) var entries: [String: Entry] = [:]
    private var indexes: [String: [String: Set<String>]] = [:]
    private let indexFunctions: [String: IndexFunction]

    init(indexFunctions: [String: IndexFunction]) {
        self.indexFunctions = indexFunctions
        for name in indexFunctions.keys { indexes[name] = [:] }
    }

    var count: Int { entries.count }

    func summary(forKey key: String) -> Summary? { entries[key]?.summary }

    func keys(inIndex name: String, value: String) -> Set<String> { indexes[name]?[value] ?? [] }

    func values(ofIndex name: String) -> [String] { indexes[name].map { Array($0.keys) } ?? [] }

    /// Stores the object's summary; a nil summary (the transform rejected the object) removes it.
    mutating func apply(key: String, summary: Summary?, resourceVersion: String) -> InformerEvent<Summary>? {
        guard let summary else { return remove(key: key) }
        let old = entries[key]
        if let old, old.resourceVersion == resourceVersion, !resourceVersion.isEmpty { return nil }
        if let old { unindex(key: key, summary: old.summary) }
        entries[key] = Entry(summary: summary, resourceVersion: resourceVersion)
        index(key: key, summary: summary)
        if let old { return .updated(key: key, old: old.summary, new: summary) }
        return .added(key: key, summary)
    }

    mutating func remove(key: String) -> InformerEvent<Summary>? {
        guard let old = entries.removeValue(forKey: key) else { return nil }
        unindex(key: key, summary: old.summary)
        return .deleted(key: key, old.summary)
    }

    /// Makes the cache equal to a fresh list, returning the events that turn the old
    /// contents into the new: deletions missed while the watch was down show up here.
    mutating func replace(with objects: [(key: String, summary: Summary?, resourceVersion: String)]) -> [InformerEvent<Summary>] {
        var events: [InformerEvent<Summary>] = []
        var seen = Set<String>()
        for object in objects {
            seen.insert(object.key)
            if let event = apply(key: object.key, summary: object.summary, resourceVersion: object.resourceVersion) {
                events.append(event)
            }
        }
        for key in entries.keys where !seen.contains(key) {
            if let event = remove(key: key) { events.append(event) }
        }
        return events
    }

    private mutating func index(key: String, summary: Summary) {
        for (name, function) in indexFunctions {
            for value in function(summary) { indexes[name, default: [:]][value, default: []].insert(key) }
        }
    }

    private mutating func unindex(key: String, summary: Summary) {
        for (name, function) in indexFunctions {
            for value in function(summary) {
                indexes[name]?[value]?.remove(key)
                if indexes[name]?[value]?.isEmpty == true { indexes[name]?[value] = nil }
            }
        }
    }
}
