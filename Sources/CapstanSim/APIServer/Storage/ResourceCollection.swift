/// All objects of one resource, bucketed by namespace, with the sort orders lists and paging need.
struct ResourceCollection {
    struct Bucket {
        var objects: [String: StoredObject] = [:]
        var sortedNames: [String]?

        mutating func names() -> [String] {
            if let sortedNames { return sortedNames }
            let names = objects.keys.sorted()
            sortedNames = names
            return names
        }
    }

    var buckets: [String: Bucket] = [:]
    private var sortedNamespaces: [String]?
    private(set) var count = 0
    var history: EventHistory
    var watchers: [ObjectIdentifier: any WatchSink] = [:]

    init(historyCapacity: Int) { history = EventHistory(capacity: historyCapacity) }

    func object(namespace: String, name: String) -> StoredObject? {
        buckets[namespace]?.objects[name]
    }

    mutating func put(_ object: StoredObject) {
        if buckets[object.namespace] == nil {
            buckets[object.namespace] = Bucket()
            sortedNamespaces = nil
        }
        let previous = buckets[object.namespace]!.objects.updateValue(object, forKey: object.name)
        if previous == nil {
            buckets[object.namespace]!.sortedNames = nil
            count += 1
        }
    }

    mutating func remove(namespace: String, name: String) {
        guard buckets[namespace]?.objects.removeValue(forKey: name) != nil else { return }
        count -= 1
        if buckets[namespace]!.objects.isEmpty {
            buckets[namespace] = nil
            sortedNamespaces = nil
        } else {
            buckets[namespace]!.sortedNames = nil
        }
    }

    /// Objects in (namespace, name) order, starting after `after`, passing `include`, at most `limit`.
    /// Also says whether more matching objects follow, and roughly how many.
    mutating func scan(namespace: String?, after: (namespace: String, name: String)?, limit: Int?,
                       include: (StoredObject) -> Bool) -> (items: [StoredObject], hasMore: Bool, remaining: Int) {
        let namespaces: [String]
        if let namespace {
            namespaces = buckets[namespace] == nil ? [] : [namespace]
        } else {
            if sortedNamespaces == nil { sortedNamespaces = buckets.keys.sorted() }
            namespaces = sortedNamespaces!
        }
        var items: [StoredObject] = []
        var hasMore = false
        var remaining = 0
        for ns in namespaces {
            if let after, ns < after.namespace { continue }
            let names = buckets[ns]!.names()
            var startIndex = 0
            if let after, ns == after.namespace {
                startIndex = Self.firstIndex(after: after.name, in: names)
            }
            let objects = buckets[ns]!.objects
            for index in startIndex..<names.count {
                guard let object = objects[names[index]], include(object) else { continue }
                if let limit, items.count >= limit {
                    hasMore = true
                    remaining += 1
                    continue
                }
                items.append(object)
            }
        }
        return (items, hasMore, remaining)
    }

    private static func firstIndex(after name: String, in names: [String]) -> Int {
        var low = 0
        var high = names.count
        while low < high {
            let mid = (low + high) / 2
            if names[mid] <= name { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
