import CapstanAPI
import Synchronization

/// The server's whole state: every object of every resource, one global resourceVersion
/// counter, per-resource event histories and the watchers to notify.
///
/// One lock guards it all. Writes run their decision closure under the lock so that a
/// read-modify-write is atomic, the way etcd's transactions make kube's GuaranteedUpdate atomic.
final class SimObjectStore: Sendable {
    /// What a write decides to do with the object it was shown.
    enum WriteAction {
        /// Store this value; the store assigns the resourceVersion.
        case put(JSONValue)
        /// Remove the object; the value is its final state, sent with the DELETED event.
        case delete(JSONValue)
        /// Remove the object as it is stored; the DELETED event carries it at the new
        /// resourceVersion, without decoding it (most deletions change nothing else).
        case deleteAsStored
    }

    struct WriteResult {
        var stored: StoredObject
        var previous: StoredObject?
        var deleted: Bool
    }

    struct ListResult {
        var items: [StoredObject]
        var resourceVersion: Int
        var hasMore: Bool
        var remaining: Int
    }

    private struct State {
        var resourceVersion = 0
        var collections: [GroupResource: ResourceCollection] = [:]
        var keysByUID: [String: StoredObjectKey] = [:]
        var dependentsByOwnerUID: [String: Set<StoredObjectKey>] = [:]
    }

    private let state = Mutex(State())
    /// etcd's default `--max-request-bytes` (1.5 MiB). The sim measures the object's JSON,
    /// where etcd measures kube's protobuf encoding plus the transaction around it.
    static let maximumObjectBytes = 1536 * 1024
    private let historyCapacity: Int

    init(historyCapacity: Int) {
        self.historyCapacity = historyCapacity
    }

    var currentResourceVersion: Int { state.withLock { $0.resourceVersion } }

    func get(_ key: StoredObjectKey) -> StoredObject? {
        state.withLock { $0.collections[key.resource]?.object(namespace: key.namespace, name: key.name) }
    }

    func count(_ resource: GroupResource) -> Int {
        state.withLock { $0.collections[resource]?.count ?? 0 }
    }

    func list(_ resource: GroupResource, namespace: String?, after: (namespace: String, name: String)?,
              limit: Int?, include: (StoredObject) -> Bool) -> ListResult {
        state.withLock { state in
            guard state.collections[resource] != nil else {
                return ListResult(items: [], resourceVersion: state.resourceVersion, hasMore: false, remaining: 0)
            }
            // Mutating through the subscript keeps the collection uniquely referenced (no copy).
            let scan = state.collections[resource]!.scan(namespace: namespace, after: after, limit: limit,
                                                         include: include)
            return ListResult(items: scan.items, resourceVersion: state.resourceVersion, hasMore: scan.hasMore,
                              remaining: scan.remaining)
        }
    }

    /// Runs `decide` under the lock with the object's current state and applies what it returns.
    /// Returns nil when `decide` chose to change nothing.
    /// With `dryRun` the decision is made and returned but nothing is stored.
    func write(_ key: StoredObjectKey, selectableFieldPaths: [String], dryRun: Bool = false,
               _ decide: (StoredObject?) throws(StatusError) -> WriteAction?) throws(StatusError) -> WriteResult? {
        try state.withLock { (state) throws(StatusError) -> WriteResult? in
            if state.collections[key.resource] == nil {
                state.collections[key.resource] = ResourceCollection(historyCapacity: historyCapacity)
            }
            let current = state.collections[key.resource]!.object(namespace: key.namespace, name: key.name)
            guard let action = try decide(current) else { return nil }
            if dryRun {
                let value: JSONValue
                switch action {
                case .put(let v), .delete(let v): value = v
                case .deleteAsStored: value = current?.value() ?? .object([:])
                }
                let stored = StoredObject(value: value, resourceVersion: current?.resourceVersion ?? 0,
                                          selectableFieldPaths: selectableFieldPaths)
                return WriteResult(stored: stored, previous: current, deleted: false)
            }
            let rv = state.resourceVersion + 1
            switch action {
            case .put(var value):
                value["metadata"]?["resourceVersion"] = .string(String(rv))
                let stored = StoredObject(value: value, resourceVersion: rv, selectableFieldPaths: selectableFieldPaths)
                if stored.bytes.count > Self.maximumObjectBytes { throw StatusError.etcdRequestTooLarge }
                state.resourceVersion = rv
                state.collections[key.resource]!.put(stored)
                Self.reindex(key, old: current, new: stored, in: &state)
                Self.publish(StoredWatchEvent(kind: current == nil ? .added : .modified, object: stored, previous: current),
                             resource: key.resource, in: &state)
                return WriteResult(stored: stored, previous: current, deleted: false)
            case .delete, .deleteAsStored:
                let stored = Self.lastState(for: action, current: current, resourceVersion: rv, selectableFieldPaths: selectableFieldPaths)
                state.resourceVersion = rv
                state.collections[key.resource]!.remove(namespace: key.namespace, name: key.name)
                Self.reindex(key, old: current, new: nil, in: &state)
                Self.publish(StoredWatchEvent(kind: .deleted, object: stored, previous: current),
                             resource: key.resource, in: &state)
                return WriteResult(stored: stored, previous: current, deleted: true)
            }
        }
    }

    /// What a DELETED event carries at `resourceVersion`: the given final state, or the object
    /// as stored with only its resourceVersion rewritten (decoded only if that cannot be done).
    private static func lastState(for action: WriteAction, current: StoredObject?, resourceVersion: Int,
                                  selectableFieldPaths: [String]) -> StoredObject {
        var value: JSONValue
        switch action {
        case .deleteAsStored:
            if let restamped = current?.withResourceVersion(resourceVersion) { return restamped }
            value = current?.value() ?? .object([:])
        case .delete(let final), .put(let final):
            value = final
        }
        value["metadata"]?["resourceVersion"] = .string(String(resourceVersion))
        return StoredObject(value: value, resourceVersion: resourceVersion, selectableFieldPaths: selectableFieldPaths)
    }

    /// Registers a watcher and hands it the starting events: the current objects when
    /// `resourceVersion` is nil, otherwise every held event after that version.
    /// Throws `410 Expired` when the history no longer reaches back that far.
    func watch(_ resource: GroupResource, namespace: String?, from resourceVersion: Int?,
               sink: any WatchSink) throws(StatusError) {
        try state.withLock { (state) throws(StatusError) in
            if state.collections[resource] == nil {
                state.collections[resource] = ResourceCollection(historyCapacity: historyCapacity)
            }
            let initial: [StoredWatchEvent]
            if let resourceVersion {
                guard let events = state.collections[resource]!.history.events(after: resourceVersion) else {
                    let floor = state.collections[resource]!.history.floor
                    throw StatusError.expired("too old resource version: \(resourceVersion) (\(floor + 1))")
                }
                initial = events
            } else {
                initial = state.collections[resource]!.scan(namespace: namespace, after: nil, limit: nil,
                                                            include: { _ in true })
                    .items.map { StoredWatchEvent(kind: .added, object: $0, previous: nil) }
            }
            state.collections[resource]!.watchers[ObjectIdentifier(sink)] = sink
            sink.deliverInitial(initial)
        }
    }

    /// Sends a bookmark at the current version; under the lock so no event can slip in between.
    func bookmark(_ resource: GroupResource, sink: any WatchSink, initialEventsEnd: Bool) {
        state.withLock { state in
            sink.deliverBookmark(resourceVersion: state.resourceVersion, initialEventsEnd: initialEventsEnd)
        }
    }

    func stopWatching(_ resource: GroupResource, sink: any WatchSink) {
        _ = state.withLock { $0.collections[resource]?.watchers.removeValue(forKey: ObjectIdentifier(sink)) }
    }

    /// How many watches of `resource` are open: one stays open for as long as its reader does.
    func watcherCount(_ resource: GroupResource) -> Int {
        state.withLock { $0.collections[resource]?.watchers.count ?? 0 }
    }

    /// Objects whose ownerReferences name `uid`.
    func dependents(ofUID uid: String) -> [StoredObjectKey] {
        state.withLock { Array($0.dependentsByOwnerUID[uid] ?? []) }
    }

    func hasDependents(ofUID uid: String) -> Bool {
        state.withLock { !($0.dependentsByOwnerUID[uid]?.isEmpty ?? true) }
    }

    func key(ofUID uid: String) -> StoredObjectKey? {
        state.withLock { $0.keysByUID[uid] }
    }

    /// Keys of every object stored in `namespace`, across all resources.
    func keys(inNamespace namespace: String) -> [StoredObjectKey] {
        state.withLock { state in
            var keys: [StoredObjectKey] = []
            for (resource, collection) in state.collections {
                for name in collection.buckets[namespace]?.objects.keys ?? [:].keys {
                    keys.append(StoredObjectKey(resource: resource, namespace: namespace, name: name))
                }
            }
            return keys
        }
    }

    /// Keys of every object of `resource`.
    func keys(of resource: GroupResource) -> [StoredObjectKey] {
        state.withLock { state in
            var keys: [StoredObjectKey] = []
            for (namespace, bucket) in state.collections[resource]?.buckets ?? [:] {
                for name in bucket.objects.keys { keys.append(StoredObjectKey(resource: resource, namespace: namespace, name: name)) }
            }
            return keys
        }
    }

    private static func reindex(_ key: StoredObjectKey, old: StoredObject?, new: StoredObject?, in state: inout State) {
        if let old, old.uid != new?.uid { state.keysByUID[old.uid] = nil }
        if let new { state.keysByUID[new.uid] = key }
        let oldOwners = Set(old?.ownerUIDs ?? [])
        let newOwners = Set(new?.ownerUIDs ?? [])
        for owner in oldOwners.subtracting(newOwners) {
            state.dependentsByOwnerUID[owner]?.remove(key)
            if state.dependentsByOwnerUID[owner]?.isEmpty == true { state.dependentsByOwnerUID[owner] = nil }
        }
        for owner in newOwners.subtracting(oldOwners) { state.dependentsByOwnerUID[owner, default: []].insert(key) }
    }

    private static func publish(_ event: StoredWatchEvent, resource: GroupResource, in state: inout State) {
        state.collections[resource]!.history.append(event)
        for sink in state.collections[resource]!.watchers.values { sink.deliver(event) }
    }
}
