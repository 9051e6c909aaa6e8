import NIOCore

/// `--fault-rate P`: that share of API requests fails with 500 or 429 (with Retry-After), and
/// each watch is cut after a random time averaging 1/P seconds. Discovery, OpenAPI and health
/// endpoints never fail, so clients can always find the API.
struct FaultInjector: Sendable {
    let rate: Double

    func fault(for request: APIRequest) -> StatusError? {
        guard rate > 0, Self.isAPIRequest(request.path), Double.random(in: 0..<1) < rate else { return nil }
        if Bool.random() {
            return StatusError.tooManyRequests(retryAfter: 1)
        }
        return StatusError.internalError("injected fault (--fault-rate)")
    }

    /// When this watch should be dropped, or nil when faults are off.
    func watchCutDelay() -> TimeAmount? {
        guard rate > 0 else { return nil }
        // Exponentially distributed lifetimes: cuts arrive at random, about `rate` per second per watch.
        let seconds = -log(Double.random(in: Double.leastNonzeroMagnitude..<1)) / rate
        return .milliseconds(Int64(min(seconds, 3600) * 1000))
    }

    private static func isAPIRequest(_ path: String) -> Bool {
        guard let info = RequestInfo.parse(path) else { return false }
        if case .resource = info.target { return true }
        return false
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
