import CapstanAPI
import CapstanWorker
import Foundation

/// An in-memory controller: hands out its items to ready polls, acknowledges a result the
/// `ackOnSighting`-th time it sees it, says stop once every item is acknowledged, and can
/// fail its first polls or refuse the token.
actor FakeDispatch {
    struct Seen: Sendable {
        var poll: WorkerPoll
        var at: ContinuousClock.Instant
    }

    var items: [ItemToRun]
    var ackOnSighting = 1
    var transientFailures = 0
    var refuse = false
    private(set) var polls: [Seen] = []
    private(set) var acknowledged: [String] = []
    private var sightings: [String: Int] = [:]
    private var handedOut = 0

    init(items: [ItemToRun]) {
        self.items = items
    }

    func configure(ackOnSighting: Int = 1, transientFailures: Int = 0, refuse: Bool = false) {
        self.ackOnSighting = ackOnSighting
        self.transientFailures = transientFailures
        self.refuse = refuse
    }

    func answer(_ poll: WorkerPoll) async throws -> WorkerAssignment {
        polls.append(Seen(poll: poll, at: .now))
        if refuse { throw DispatchError.refused(status: 401, body: "invalid worker token") }
        if transientFailures > 0 {
            transientFailures -= 1
            throw DispatchError.transient("connection refused")
        }
        var answer = WorkerAssignment()
        for result in poll.finished {
            sightings[result.name, default: 0] += 1
            if sightings[result.name]! >= ackOnSighting {
                answer.acknowledged.append(result.name)
                if !acknowledged.contains(result.name) { acknowledged.append(result.name) }
            }
        }
        if poll.ready && handedOut < items.count {
            answer.item = items[handedOut]
            handedOut += 1
        }
        answer.stop = handedOut == items.count && acknowledged.count == items.count
        if poll.ready && answer.item == nil && !answer.stop {
            // A long poll, shortened.
            try await Task.sleep(for: .milliseconds(2))
        }
        return answer
    }
}

struct FakeTransport: DispatchTransport {
    let dispatch: FakeDispatch

    func poll(_ poll: WorkerPoll) async throws -> WorkerAssignment {
        try await dispatch.answer(poll)
    }
}

/// Ends each item after `duration` with exit code `index`, recording the order it ran them in.
actor ItemLog {
    private(set) var started: [String] = []
    private(set) var concurrent = 0
    private(set) var maximumConcurrent = 0

    func begin(_ name: String) {
        started.append(name)
        concurrent += 1
        maximumConcurrent = max(maximumConcurrent, concurrent)
    }

    func end() { concurrent -= 1 }
}

struct FakeExecutor: ItemExecutor {
    var duration: Duration = .zero
    let log = ItemLog()

    func run(_ item: ItemToRun) async -> ItemResult {
        await log.begin(item.name)
        if duration > .zero { try? await Task.sleep(for: duration) }
        await log.end()
        return ItemResult(name: item.name, exitCode: item.index, outputs: "{\"i\":\(item.index)}", startedAt: "", finishedAt: "")
    }
}

func items(_ count: Int) -> [ItemToRun] {
    (0..<count).map { ItemToRun(name: "item-\($0)", index: $0, attempt: 0, arguments: ["true"], environment: []) }
}

let claims = WorkerClaims(namespace: "default", workflow: "wf", workflowUID: "uid-1", node: "train", pod: "wf-train-w0")
