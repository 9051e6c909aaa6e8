import CapstanAPI
import CapstanEngine
import CapstanStore
import Logging
import Metrics

/// Carries out the engine's store actions (reads, writes, cache lookups and writes) and
/// reports what it learned as `ActionResults`.
/// A store that fails loses nothing: the fact is simply missing, the engine keeps the node
/// unfinished, and the reconcile is retried.
struct StoreActions: Sendable {
    let store: any ObjectStore
    let cache: OutputsCache
    let logger: Logger
    let metrics: ControllerMetrics

    struct Failure: Error, CustomStringConvertible {
        var key: String
        var underlying: any Error
        var description: String { "store \(key): \(underlying)" }
    }

    func perform(_ actions: [EngineAction], into facts: inout ActionResults) async -> [Failure] {
        var failures: [Failure] = []
        await withTaskGroup(of: (EngineAction, Result<[String: JSONValue]?, Failure>).self) { group in
            var running = 0
            for action in actions {
                if running >= 32, let result = await group.next() {
                    running -= 1
                    record(result, into: &facts, failures: &failures)
                }
                group.addTask { (action, await self.run(action)) }
                running += 1
            }
            for await result in group { record(result, into: &facts, failures: &failures) }
        }
        return failures
    }

    private func record(_ result: (EngineAction, Result<[String: JSONValue]?, Failure>), into facts: inout ActionResults, failures: inout [Failure]) {
        switch (result.0, result.1) {
        case (_, .failure(let failure)):
            failures.append(failure)
        case (.persistOutputs(let key, _), .success), (.writeInputs(let key, _), .success), (.archiveNode(let key, _), .success):
            facts.persisted.insert(key)
        case (.gatherOutputs(let request), .success):
            facts.persisted.insert(request.destination)
        case (.loadOutputs(let key), .success(let outputs?)):
            facts.outputs[key] = outputs
        case (.loadOutputs(let key), .success(nil)):
            facts.absent.insert(key)
        case (.deleteStorePrefix(let prefix), .success):
            facts.deletedPrefixes.insert(prefix)
        case (.lookupCache(let cacheKey, _), .success(let outputs)):
            facts.cacheLookups[cacheKey] = .some(outputs)
            metrics.cacheLookup(outputs == nil ? .miss : .hit)
        default:
            break
        }
    }

    private func run(_ action: EngineAction) async -> Result<[String: JSONValue]?, Failure> {
        switch action {
        case .persistOutputs(let key, let outputs):
            return await attempt(key) {
                try await store.put(key, JSONValue.object(outputs).serialized())
                cache.put(key, outputs)
                return outputs
            }
        case .writeInputs(let key, let values), .archiveNode(let key, let values):
            // Not cached: nothing reads these back in the course of a run.
            return await attempt(key) {
                try await store.put(key, JSONValue.object(values).serialized())
                return nil
            }
        case .loadOutputs(let key):
            if let cached = cache.get(key) { return .success(cached) }
            return await attempt(key) {
                let outputs = try await readOutputs(key)
                if let outputs { cache.put(key, outputs) }
                return outputs
            }
        case .lookupCache(_, let entryKey):
            return await attempt(entryKey) { try await readOutputs(entryKey) }
        case .writeCache(let entryKey, let from):
            return await attempt(entryKey) {
                var outputs = cache.get(from)
                if outputs == nil { outputs = try await readOutputs(from) }
                let entry = outputs ?? [:]
                try await store.put(entryKey, JSONValue.object(entry).serialized())
                return nil
            }
        case .gatherOutputs(let request):
            return await attempt(request.destination) { try await gather(request) }
        case .deleteStorePrefix(let prefix):
            return await attempt(prefix) {
                try await deleteAll(under: prefix)
                return nil
            }
        default:
            return .success(nil)
        }
    }

    private func attempt(_ key: String, _ body: () async throws -> [String: JSONValue]?) async -> Result<[String: JSONValue]?, Failure> {
        do {
            return .success(try await body())
        } catch {
            logger.warning("store request failed", metadata: ["key": "\(key)", "error": "\(error)"])
            return .failure(Failure(key: key, underlying: error))
        }
    }

    private func readOutputs(_ key: String) async throws -> [String: JSONValue]? {
        guard let bytes = try await store.getIfPresent(key) else { return nil }
        guard case .object(let fields) = try JSONValue.parse(bytes) else { return nil }
        return fields
    }

    /// Deletes every object under `prefix` (the listing is paged inside the store), a
    /// bounded number at a time. A failure part way leaves the rest for the next try.
    private func deleteAll(under prefix: String) async throws {
        let keys = try await store.list(prefix: prefix).objects.map(\.key)
        var start = 0
        while start < keys.count {
            let end = min(start + 64, keys.count)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for key in keys[start..<end] { group.addTask { try await store.delete(key) } }
                try await group.waitForAll()
            }
            start = end
        }
        logger.info("deleted the workflow's stored data", metadata: ["prefix": "\(prefix)", "objects": "\(keys.count)"])
    }

    /// Builds each output's list in index order, `null` for items that did not succeed,
    /// reading items in bounded batches so a huge map is never held as objects all at once.
    private func gather(_ request: GatherRequest) async throws -> [String: JSONValue] {
        var lists = [String: [JSONValue]](uniqueKeysWithValues: request.outputNames.map { ($0, []) })
        let batch = 64
        var start = 0
        while start < request.items.count {
            let end = min(start + batch, request.items.count)
            let outputs = try await withThrowingTaskGroup(of: (Int, [String: JSONValue]?).self) { group in
                for index in start..<end where request.items[index] == .succeeded {
                    group.addTask { (index, try await readOutputs(request.itemKeyPrefix + "\(index)/outputs.json")) }
                }
                var found: [Int: [String: JSONValue]] = [:]
                for try await (index, value) in group { if let value { found[index] = value } }
                return found
            }
            for index in start..<end {
                for name in request.outputNames { lists[name]!.append(outputs[index]?[name] ?? .null) }
            }
            start = end
        }
        let gathered = lists.mapValues(JSONValue.array)
        try await store.put(request.destination, JSONValue.object(gathered).serialized())
        cache.put(request.destination, gathered)
        return gathered
    }
}
