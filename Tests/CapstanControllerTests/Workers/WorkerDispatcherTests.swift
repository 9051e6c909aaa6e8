import CapstanAPI
@testable import CapstanController
import CapstanEngine
import CapstanWorker
import Foundation
import Testing

/// The controller's side of `map.workers`: a ready worker's poll waits for work and is
/// answered as soon as an item is dispatched; tokens not signed by the key are refused;
/// results are acknowledged only once released.
struct WorkerDispatcherTests {
    static let key = Array("a-test-key-of-enough-bytes".utf8)
    let dispatcher = WorkerDispatcher(key: Self.key, now: { Timestamp(Date()) })
    let claims = WorkerClaims(namespace: "ml", workflow: "sweep", workflowUID: "uid-1", node: "score", pod: "sweep-score-1234abcd-w0")

    var token: String {
        WorkerTokens.token(key: Self.key, namespace: claims.namespace, workflow: claims.workflow, uid: claims.workflowUID,
                           node: claims.node, pod: claims.pod)
    }

    func item(_ index: Int) -> ItemDispatch {
        ItemDispatch(name: "sweep-score-1234abcd-\(index)-0", node: "score", index: index, attempt: 0, arguments: ["score", "\(index)"],
                     environment: [.init(name: "CAPSTAN_INDEX", value: "\(index)")])
    }

    @Test func aReadyPollIsAnsweredWhenAnItemIsDispatchedDuringIt() async throws {
        let waiting = Task { await dispatcher.poll(WorkerPoll(claims: claims, ready: true), token: token, longPoll: .seconds(30)) }
        try await Task.sleep(for: .milliseconds(100))
        let began = ContinuousClock.now
        dispatcher.dispatch(item(7), workflow: "ml/sweep", uid: "uid-1")
        guard case .assignment(let answer) = await waiting.value else { Issue.record("refused"); return }
        #expect(answer.item?.index == 7)
        #expect(answer.item?.arguments == ["score", "7"])
        #expect(ContinuousClock.now - began < .seconds(20), "woken by the dispatch, not at the end of its 30 s long poll")
    }

    @Test func aPollWithNothingToDoEndsAtItsLongPoll() async {
        guard case .assignment(let answer) = await dispatcher.poll(WorkerPoll(claims: claims, ready: true), token: token,
                                                                    longPoll: .milliseconds(200)) else {
            Issue.record("refused")
            return
        }
        #expect(answer.item == nil && !answer.stop)
    }

    @Test func aTokenNotSignedByTheKeyIsRefused() async {
        var other = claims
        other.pod = "sweep-score-1234abcd-w9"
        guard case .refused(let message) = await dispatcher.poll(WorkerPoll(claims: other, ready: true), token: token) else {
            Issue.record("a token for another pod was taken")
            return
        }
        #expect(message.contains("sweep-score-1234abcd-w9"))
    }

    /// The controller remembers a worker's token once it matched, so the check is not a hash
    /// per poll; what it remembers must not let a wrong token through for the same claims.
    @Test func aRememberedTokenStillRefusesAnyOther() async {
        for _ in 0..<2 {
            guard case .assignment = await dispatcher.poll(WorkerPoll(claims: claims, ready: false), token: token) else {
                Issue.record("the right token was refused")
                return
            }
        }
        let wrong = String(token.dropLast()) + (token.hasSuffix("0") ? "1" : "0")
        for candidate in [wrong, "", String(token.prefix(32)), token + "0"] {
            guard case .refused = await dispatcher.poll(WorkerPoll(claims: claims, ready: false), token: candidate) else {
                Issue.record("token \(candidate) was taken for \(claims.pod)")
                return
            }
        }
    }

    @Test func aResultIsAcknowledgedOnlyOnceReleasedAndBecomesAnObservation() async throws {
        dispatcher.dispatch(item(1), workflow: "ml/sweep", uid: "uid-1")
        guard case .assignment(let first) = await dispatcher.poll(WorkerPoll(claims: claims, ready: true), token: token) else { return }
        let name = try #require(first.item?.name)
        let result = ItemResult(name: name, exitCode: 0, outputs: #"{"x": 1}"#, startedAt: "2026-12-05T10:00:00Z",
                                finishedAt: "2026-12-05T10:00:01Z")
        let report = WorkerPoll(claims: claims, finished: [result], ready: true)
        guard case .assignment(let second) = await dispatcher.poll(report, token: token, longPoll: .milliseconds(50)) else { return }
        #expect(second.acknowledged.isEmpty, "not saved yet")

        let observed = dispatcher.observe(workflow: "ml/sweep", uid: "uid-1") { [claims] in [claims.pod] }
        let pod = try #require(observed.items.first { $0.name == name })
        #expect(pod.isWorkerItem && pod.phase == .succeeded && pod.index == 1 && pod.terminationMessage == #"{"x": 1}"#)
        #expect(observed.pools["score"]?.lastPoll[claims.pod] != nil)

        dispatcher.release(name, workflow: "ml/sweep", uid: "uid-1")
        guard case .assignment(let third) = await dispatcher.poll(report, token: token, longPoll: .milliseconds(50)) else { return }
        #expect(third.acknowledged == [name])
    }

    @Test func anItemOfAWorkerWhosePodIsGoneIsLost() async throws {
        dispatcher.dispatch(item(2), workflow: "ml/sweep", uid: "uid-1")
        guard case .assignment(let answer) = await dispatcher.poll(WorkerPoll(claims: claims, ready: true), token: token) else { return }
        let name = try #require(answer.item?.name)
        let observed = dispatcher.observe(workflow: "ml/sweep", uid: "uid-1") { [] }
        let pod = try #require(observed.items.first { $0.name == name })
        #expect(pod.phase == .failed && pod.podReason == "WorkerLost", "\(pod)")
    }
}
