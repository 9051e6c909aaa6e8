/// Which events one watch receives: its namespace and selectors.
struct WatchFilter: Sendable {
    var namespace: String?
    var labels: LabelSelector
    var fields: FieldSelector

    func matches(_ object: StoredObject) -> Bool {
        if let namespace, object.namespace != namespace { return false }
        return labels.matches(object.labels) && fields.matches(object.selectableFields)
    }

    /// The event a filtered watcher sees: objects entering the selection are ADDED, leaving it DELETED.
    func translate(_ event: StoredWatchEvent) -> StoredWatchEvent.Kind? {
        let now = matches(event.object)
        switch event.kind {
        case .added:
            return now ? .added : nil
        case .deleted:
            return (event.previous.map(matches) ?? now) ? .deleted : nil
        case .modified:
            let before = event.previous.map(matches) ?? false
            switch (before, now) {
            case (true, true): return .modified
            case (false, true): return .added
            case (true, false): return .deleted
            case (false, false): return nil
            }
        }
    }
}
