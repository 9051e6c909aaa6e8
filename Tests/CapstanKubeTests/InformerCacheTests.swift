@testable import CapstanKube
import Testing

@Suite struct InformerCacheTests {
    struct PodSummary: Sendable, Equatable {
        var workflow: String
        var phase: String
    }

    func cache() -> InformerCache<PodSummary> {
        InformerCache(indexFunctions: ["workflow": { [$0.workflow] }])
    }

    @Test func indexesFollowUpdatesAndDeletes() {
        var cache = cache()
        _ = cache.apply(key: "ml/p1", summary: PodSummary(workflow: "w1", phase: "Pending"), resourceVersion: "1")
        _ = cache.apply(key: "ml/p2", summary: PodSummary(workflow: "w1", phase: "Running"), resourceVersion: "2")
        #expect(cache.keys(inIndex: "workflow", value: "w1") == ["ml/p1", "ml/p2"])

        let moved = cache.apply(key: "ml/p2", summary: PodSummary(workflow: "w2", phase: "Running"), resourceVersion: "3")
        guard case .updated(_, let old, let new) = moved else {
            Issue.record("expected an update, got \(String(describing: moved))")
            return
        }
        #expect(old.workflow == "w1" && new.workflow == "w2")
        #expect(cache.keys(inIndex: "workflow", value: "w1") == ["ml/p1"])
        #expect(cache.keys(inIndex: "workflow", value: "w2") == ["ml/p2"])

        // The same resourceVersion again (a replayed event) is not a change.
        #expect(cache.apply(key: "ml/p2", summary: PodSummary(workflow: "w2", phase: "Running"), resourceVersion: "3") == nil)

        // A transform that now rejects the object removes it.
        guard case .deleted = cache.apply(key: "ml/p1", summary: nil, resourceVersion: "4") else {
            Issue.record("expected a deletion")
            return
        }
        #expect(cache.keys(inIndex: "workflow", value: "w1").isEmpty)
        #expect(cache.values(ofIndex: "workflow") == ["w2"])
    }

    @Test func replaceReportsWhatChangedWhileDisconnected() {
        var cache = cache()
        _ = cache.apply(key: "a", summary: PodSummary(workflow: "w", phase: "Running"), resourceVersion: "1")
        _ = cache.apply(key: "b", summary: PodSummary(workflow: "w", phase: "Running"), resourceVersion: "2")
        _ = cache.apply(key: "c", summary: PodSummary(workflow: "w", phase: "Running"), resourceVersion: "3")
        let events = cache.replace(with: [
            (key: "a", summary: PodSummary(workflow: "w", phase: "Running"), resourceVersion: "1"),
            (key: "b", summary: PodSummary(workflow: "w", phase: "Succeeded"), resourceVersion: "9"),
            (key: "d", summary: PodSummary(workflow: "w", phase: "Pending"), resourceVersion: "10"),
        ])
        let described = events.map { event -> String in
            switch event {
            case .added(let key, _): return "added \(key)"
            case .updated(let key, _, let new): return "updated \(key) \(new.phase)"
            case .deleted(let key, _): return "deleted \(key)"
            }
        }.sorted()
        #expect(described == ["added d", "deleted c", "updated b Succeeded"])
        #expect(cache.count == 3)
        #expect(cache.keys(inIndex: "workflow", value: "w") == ["a", "b", "d"])
    }
}

extension InformerEvent: Equatable where Summary: Equatable {
    public static func == (lhs: InformerEvent, rhs: InformerEvent) -> Bool {
        switch (lhs, rhs) {
        case (.added(let a, let x), .added(let b, let y)): return a == b && x == y
        case (.updated(let a, let x1, let x2), .updated(let b, let y1, let y2)): return a == b && x1 == y1 && x2 == y2
        case (.deleted(let a, let x), .deleted(let b, let y)): return a == b && x == y
        default: return false
        }
    }
}
