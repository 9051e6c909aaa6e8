import CapstanAPI
import Logging

extension Informer {
    /// Lists and watches until the task is cancelled. Failures are logged and retried with
    /// backoff; this never throws.
    public func run() async {
        defer { finishSubscribers() }
        var failures = 0
        while !Task.isCancelled {
            do {
                if lastResourceVersion == nil {
                    try await relist()
                }
                let started = ContinuousClock.now
                let events = try await watchOnce()
                if events == 0 && ContinuousClock.now - started < .seconds(1) {
                    // A server that closes watches at once must not make us spin.
                    let delay = options.backoff.delay(attempt: failures, jitter: Double.random(in: 0..<1))
                    failures += 1
                    do { try await Task.sleep(for: delay) } catch { return }
                } else {
                    failures = 0
                }
            } catch is CancellationError {
                return
            } catch let error as KubeError where error.isGone {
                logger.info("watch resourceVersion expired; relisting", metadata: ["error": "\(error)"])
                expire()
            } catch {
                if Task.isCancelled { return }
                state.withLockedValue { $0.stats.failures += 1 }
                let delay = options.backoff.delay(attempt: failures, jitter: Double.random(in: 0..<1))
                failures += 1
                logger.warning("list/watch failed; retrying", metadata: ["error": "\(error)", "delay": "\(delay)"])
                do { try await Task.sleep(for: delay) } catch { return }
            }
        }
    }

    private func expire() {
        state.withLockedValue { state in
            state.resourceVersion = nil
            state.stats.expiredRelists += 1
        }
    }

    /// Lists page by page, keeping only each page's summaries, so a relist of tens of
    /// thousands of objects never holds more than one page of full JSON.
    private func relist() async throws {
        let test = metadataTest
        var options = ListOptions(labelSelector: currentLabelSelector, fieldSelector: fieldSelector, limit: self.options.pageSize)
        var objects: [(key: String, summary: Summary?, resourceVersion: String)] = []
        var listVersion: String?
        repeat {
            let page = try await client.list(resource, namespace: namespace, options: options)
            listVersion = listVersion ?? page.resourceVersion
            for item in page.items {
                let summary = Self.passes(item, test) ? transform(item) : nil
                objects.append((key: item.kubeMeta.key, summary: summary, resourceVersion: item.kubeMeta.resourceVersion ?? ""))
            }
            options.continueToken = page.continueToken
        } while options.continueToken != nil
        let list = (resourceVersion: listVersion ?? "", count: objects.count)
        let waiters = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            let events = state.cache.replace(with: objects)
            state.resourceVersion = list.resourceVersion
            state.stats.lists += 1
            publish(events, to: state.subscribers)
            guard !state.synced else { return [] }
            state.synced = true
            defer { state.syncWaiters.removeAll() }
            return Array(state.syncWaiters.values)
        }
        for waiter in waiters { waiter.resume() }
        logger.debug("listed", metadata: ["items": "\(list.count)", "resourceVersion": "\(list.resourceVersion)"])
    }

    /// One watch request, applied event by event until the server ends it. Throws on
    /// transport failures; a 410 (answer or ERROR event) throws a gone `KubeError`.
    private func watchOnce() async throws -> Int {
        let from = lastResourceVersion
        let timeout = Int.random(in: options.watchTimeout)
        let test = metadataTest
        state.withLockedValue { $0.stats.watches += 1 }
        let stream = try await client.watch(resource, namespace: namespace, options: WatchOptions(
            labelSelector: currentLabelSelector, fieldSelector: fieldSelector, resourceVersion: from,
            timeoutSeconds: timeout, allowWatchBookmarks: true, ignoredPaths: options.ignoredPaths,
            heldFields: heldFields(refusing: test),
            // A deletion is applied by key; the summary it reports is the cached one.
            deletionsWithoutSpecAndStatus: true))
        var count = 0
        for try await event in stream {
            try Task.checkCancellation()
            count += 1
            let version = event.object.kubeMeta.resourceVersion
            switch event.type {
            case .added, .modified:
                let key = event.object.kubeMeta.key
                let summary = Self.passes(event.object, test) ? transform(event.object) : nil
                record(version) { $0.apply(key: key, summary: summary, resourceVersion: version ?? "") }
            case .deleted:
                let key = event.object.kubeMeta.key
                record(version) { $0.remove(key: key) }
            case .bookmark:
                record(version) { _ in nil }
            case .error:
                throw event.error ?? KubeError(reason: .invalidResponse, code: 0, message: "watch ERROR event without a Status")
            }
        }
        return count
    }

    /// What stands in for an event's `spec` and `status` without decoding them: for an object
    /// the metadata test refuses, null (it is dropped whole); otherwise the cached spec when
    /// `heldSpec` says it applies. kube-apiserver writes `metadata` before both, so the test
    /// sees it; an event written in another order is decoded whole.
    private func heldFields(refusing test: MetadataTest?) -> [String: JSONSkipList.HeldValue] {
        let refused: @Sendable (_ earlierFields: [String: JSONValue]) -> Bool = { fields in
            guard let test, let metadata = fields["metadata"] else { return false }
            return !test(metadata)
        }
        var fields: [String: JSONSkipList.HeldValue] = [:]
        if test != nil {
            fields["status"] = { refused($0) ? .null : nil }
        }
        if heldSpec != nil || test != nil {
            fields["spec"] = { [weak self] fields in
                refused(fields) ? .null : self?.cachedSpec(eventMetadata: fields["metadata"])
            }
        }
        return fields
    }

    /// Whether the metadata test, if any, keeps this object.
    private static func passes(_ object: JSONValue, _ test: MetadataTest?) -> Bool {
        guard let test else { return true }
        return test(object["metadata"] ?? .null)
    }

    /// The spec the cached summary of the event's object holds, if `heldSpec` says it applies.
    private func cachedSpec(eventMetadata: JSONValue?) -> JSONValue? {
        guard let heldSpec, let eventMetadata else { return nil }
        let key = ObjectMetaView(metadata: eventMetadata).key
        guard let cached = state.withLockedValue({ $0.cache.summary(forKey: key) }) else { return nil }
        return heldSpec(cached, eventMetadata)
    }

    private func record(_ version: String?, _ change: (inout InformerCache<Summary>) -> InformerEvent<Summary>?) {
        state.withLockedValue { state in
            if let event = change(&state.cache) { publish([event], to: state.subscribers) }
            if let version, !version.isEmpty { state.resourceVersion = version }
        }
    }

    private func publish(_ events: [InformerEvent<Summary>], to subscribers: [Int: AsyncStream<InformerEvent<Summary>>.Continuation]) {
        guard !events.isEmpty else { return }
        for subscriber in subscribers.values {
            for event in events { subscriber.yield(event) }
        }
    }
}
