import CapstanAPI
import CapstanEngine
import Synchronization

/// Checks that a poll's token is the HMAC of its claims under this controller's worker key,
/// computing each worker's HMAC once: a busy worker polls once per item, and hashing every
/// poll cost a twenty-fifth of the controller's CPU in `map-1m-workers`. A token is kept
/// only after it matched; a poll whose claims and token differ from the kept pair is
/// checked in full.
final class WorkerTokenVerifier: Sendable {
    /// A controller serves a few thousand worker pods at most; past this the memory is
    /// dropped and rebuilt as workers poll, one HMAC each.
    static let capacity = 10_000

    private let key: [UInt8]
    private let verified = Mutex<[WorkerClaims: String]>([:])

    init(key: [UInt8]) {
        self.key = key
    }

    func accepts(_ token: String, for claims: WorkerClaims) -> Bool {
        if let known = verified.withLock({ $0[claims] }) {
            // A kept token is the right one; compared in constant time all the same.
            return HMACSHA256.equal(known, token)
        }
        guard HMACSHA256.equal(WorkerTokens.token(key: key, claims: claims), token) else { return false }
        verified.withLock { verified in
            if verified.count >= Self.capacity { verified.removeAll(keepingCapacity: true) }
            verified[claims] = token
        }
        return true
    }
}
