import CapstanAPI
@testable import CapstanController
import CapstanEngine
import Testing

/// A worker's token is hashed once and remembered; the memory is bounded and forgets
/// nothing that matters: a dropped token is checked again in full.
struct WorkerTokenVerifierTests {
    static let key = Array("another-test-key-of-enough-bytes".utf8)

    static func claims(_ pod: Int) -> WorkerClaims {
        WorkerClaims(namespace: "ml", workflow: "sweep", workflowUID: "uid-1", node: "score", pod: "sweep-score-w\(pod)")
    }

    static func token(_ pod: Int, key: [UInt8] = key) -> String { WorkerTokens.token(key: key, claims: claims(pod)) }

    @Test func tokensAreCheckedAgainstTheirOwnClaimsOnly() {
        let verifier = WorkerTokenVerifier(key: Self.key)
        let cases: [(token: String, pod: Int, accepted: Bool)] = [
            (Self.token(0), 0, true),
            (Self.token(0), 0, true),      // now from memory
            (Self.token(1), 0, false),     // another pod's token
            (Self.token(0), 1, false),
            (Self.token(1), 1, true),
            (Self.token(2, key: Array("not-the-key".utf8)), 2, false),
            (Self.token(2), 2, true),
        ]
        for (index, testCase) in cases.enumerated() {
            #expect(verifier.accepts(testCase.token, for: Self.claims(testCase.pod)) == testCase.accepted, "case \(index)")
        }
    }

    @Test func aFullMemoryStartsOverAndStillChecksEveryToken() {
        let verifier = WorkerTokenVerifier(key: Self.key)
        for pod in 0...WorkerTokenVerifier.capacity {
            #expect(verifier.accepts(Self.token(pod), for: Self.claims(pod)))
        }
        #expect(verifier.accepts(Self.token(0), for: Self.claims(0)), "a forgotten token is checked again and taken")
        #expect(!verifier.accepts(Self.token(1), for: Self.claims(0)))
    }
}
