@testable import CapstanKube
import CapstanAPI
import CapstanSupport
import Testing

@Suite struct KubeErrorTests {
    private func status(_ code: Int, _ reason: String, _ message: String, details: JSONValue? = nil) -> [UInt8] {
        var object: JSONValue = ["kind": "Status", "apiVersion": "v1", "status": "Failure", "code": .number(Double(code)),
                                 "reason": .string(reason), "message": .string(message)]
        if let details { object["details"] = details }
        return object.serialized()
    }

    @Test func decodesStatusBodies() {
        let notFound = KubeError.fromResponse(code: 404, body: status(404, "NotFound", "pods \"p1\" not found"), request: "get pods ml/p1")
        #expect(notFound.isNotFound)
        #expect(!notFound.isConflict)
        #expect(notFound.reason == .notFound)
        #expect(notFound.message == "pods \"p1\" not found")
        #expect(notFound.description == "get pods ml/p1: 404 NotFound: pods \"p1\" not found")

        let exists = KubeError.fromResponse(code: 409, body: status(409, "AlreadyExists", "exists"))
        #expect(exists.isAlreadyExists)
        #expect(!exists.isConflict)

        let conflict = KubeError.fromResponse(code: 409, body: status(409, "Conflict", "the object has been modified"))
        #expect(conflict.isConflict)
        #expect(!conflict.isAlreadyExists)

        let expired = KubeError.fromResponse(code: 410, body: status(410, "Expired", "too old resource version"))
        #expect(expired.isGone)

        let invalid = KubeError.fromResponse(code: 422, body: status(422, "Invalid", "spec.nodes: Required",
                                                                    details: ["causes": [["field": "spec.nodes"]]]))
        #expect(invalid.isInvalid)
        #expect(invalid.details?["causes"]?[0]?["field"] == "spec.nodes")
    }

    @Test func reasonFollowsTheCodeWhenTheBodyIsNotAStatus() {
        let cases: [(Int, KubeError.Reason)] = [
            (400, .badRequest), (401, .unauthorized), (403, .forbidden), (404, .notFound), (409, .conflict),
            (410, .expired), (422, .invalid), (429, .tooManyRequests), (500, .internalError), (502, .internalError),
            (503, .serviceUnavailable), (504, .timeout),
        ]
        for (code, reason) in cases {
            let error = KubeError.fromResponse(code: code, body: Array("<html>proxy error</html>".utf8))
            #expect(error.reason == reason, "HTTP \(code)")
            #expect(error.code == code)
            #expect(error.message == "<html>proxy error</html>")
        }
        #expect(KubeError.fromResponse(code: 503, body: []).message.contains("503"))
    }

    @Test func retryAfterComesFromHeaderOrStatusDetails() {
        let header = KubeError.fromResponse(code: 429, body: status(429, "TooManyRequests", "slow down"), retryAfterHeader: "3")
        #expect(header.retryAfter == .seconds(3))
        #expect(header.isTooManyRequests)
        let details = KubeError.fromResponse(code: 429, body: status(429, "TooManyRequests", "slow down", details: ["retryAfterSeconds": 2]))
        #expect(details.retryAfter == .seconds(2))
        #expect(KubeError.fromResponse(code: 429, body: [], retryAfterHeader: "Wed, 21 Oct 2015 07:28:00 GMT").retryAfter == nil)
    }

    @Test func watchErrorEventCarriesTheStatus() throws {
        let line = Array(#"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","code":410,"reason":"Expired","message":"too old resource version: 5 (90)"}}"#.utf8)
        let event = try WatchEvent.parse(line: line)
        #expect(event.type == .error)
        #expect(event.error?.isGone == true)
        #expect(event.error?.message == "too old resource version: 5 (90)")
    }
}

@Suite struct RetryPolicyTests {
    let policy = KubeRetryPolicy(maxRetries: 3, backoff: Backoff(initial: .milliseconds(100), maximum: .seconds(1)), maxRetryAfter: .seconds(30))

    @Test func tooManyRequestsIsRetriedForEveryVerbHonouringRetryAfter() {
        let throttled = KubeError(reason: .tooManyRequests, code: 429, message: "", retryAfter: .seconds(5))
        #expect(policy.decide(throttled, idempotent: false, retriesSoFar: 0, jitter: 0) == .retry(after: .seconds(5)))
        // Our own backoff wins when it is longer than the server's hint.
        let brief = KubeError(reason: .tooManyRequests, code: 429, message: "", retryAfter: .milliseconds(10))
        #expect(policy.decide(brief, idempotent: true, retriesSoFar: 2, jitter: 1) == .retry(after: .milliseconds(400)))
        // A hostile Retry-After is capped.
        let huge = KubeError(reason: .tooManyRequests, code: 429, message: "", retryAfter: .seconds(3600))
        #expect(policy.decide(huge, idempotent: true, retriesSoFar: 0, jitter: 0) == .retry(after: .seconds(30)))
    }

    @Test func serverErrorsAndBrokenConnectionsAreRetriedOnlyWhenIdempotent() {
        let serverError = KubeError(reason: .internalError, code: 500, message: "")
        #expect(policy.decide(serverError, idempotent: true, retriesSoFar: 0, jitter: 0) == .retry(after: .milliseconds(50)))
        #expect(policy.decide(serverError, idempotent: false, retriesSoFar: 0, jitter: 0) == .fail)
        let reset = KubeError(reason: .transport, code: 0, message: "connection reset")
        #expect(policy.decide(reset, idempotent: true, retriesSoFar: 1, jitter: 0) == .retry(after: .milliseconds(100)))
        #expect(policy.decide(reset, idempotent: false, retriesSoFar: 1, jitter: 0) == .fail)
        let refused = KubeError(reason: .transport, code: 0, message: "connection refused", notSent: true)
        #expect(policy.decide(refused, idempotent: false, retriesSoFar: 0, jitter: 0) == .retry(after: .milliseconds(50)))
    }

    @Test func clientErrorsAreNeverRetried() {
        for code in [400, 401, 403, 404, 409, 410, 422] {
            let error = KubeError.fromResponse(code: code, body: [])
            #expect(policy.decide(error, idempotent: true, retriesSoFar: 0, jitter: 0.5) == .fail, "HTTP \(code)")
        }
    }

    @Test func givesUpAfterMaxRetries() {
        let error = KubeError(reason: .serviceUnavailable, code: 503, message: "")
        #expect(policy.decide(error, idempotent: true, retriesSoFar: 2, jitter: 0) != .fail)
        #expect(policy.decide(error, idempotent: true, retriesSoFar: 3, jitter: 0) == .fail)
    }
}

@Suite struct TokenBucketTests {
    @Test func burstThenSteadyRate() {
        var bucket = TokenBucket(qps: 10, burst: 3, now: .zero)
        #expect(bucket.reserve(now: .zero) == .zero)
        #expect(bucket.reserve(now: .zero) == .zero)
        #expect(bucket.reserve(now: .zero) == .zero)
        // The bucket is empty: callers queue 100 ms apart.
        #expect(bucket.reserve(now: .zero) == .milliseconds(100))
        #expect(bucket.reserve(now: .zero) == .milliseconds(200))
        // After a second the debt is repaid and 8 tokens refilled, but never more than the burst.
        #expect(bucket.reserve(now: .seconds(10)) == .zero)
        #expect(bucket.reserve(now: .seconds(10)) == .zero)
        #expect(bucket.reserve(now: .seconds(10)) == .zero)
        #expect(bucket.reserve(now: .seconds(10)) == .milliseconds(100))
    }

    @Test func zeroQPSIsUnlimited() {
        var bucket = TokenBucket(qps: 0, burst: 1)
        for _ in 0..<1000 { #expect(bucket.reserve(now: .zero) == .zero) }
    }
}

@Suite struct LineSplitterTests {
    @Test func splitsChunksAtNewlinesAcrossBoundaries() {
        var splitter = LineSplitter()
        splitter.append(Array(#"{"a":1}"#.utf8) + [10] + Array(#"{"b""#.utf8))
        #expect(splitter.nextLine() == Array(#"{"a":1}"#.utf8))
        #expect(splitter.nextLine() == nil)
        splitter.append(Array(#":2}"#.utf8) + [13, 10, 10])
        #expect(splitter.nextLine() == Array(#"{"b":2}"#.utf8))
        #expect(splitter.nextLine() == nil)
        splitter.append(Array("tail".utf8))
        #expect(splitter.remainder() == Array("tail".utf8))
    }
}

@Suite struct ResourceAddressTests {
    @Test func buildsCoreAndGroupPaths() {
        #expect(ResourceAddress(.pods, namespace: "ml", name: "p1", subresource: "status").path == "/api/v1/namespaces/ml/pods/p1/status")
        #expect(ResourceAddress(.pods).path == "/api/v1/pods")
        #expect(ResourceAddress(.workflows, namespace: "ml").path == "/apis/capstan.dev/v1alpha1/namespaces/ml/workflows")
        #expect(ResourceAddress(.nodes, namespace: "ignored", name: "n1").path == "/api/v1/nodes/n1")
        #expect(ResourceAddress(.leases, namespace: "kube-system", name: "capstan").path
            == "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/capstan")
    }

    @Test func encodesSelectorsInQueries() {
        let options = ListOptions(labelSelector: "capstan.dev/workflow=w1,app in (a,b)", limit: 10, continueToken: "abc==")
        #expect(PercentEncoding.query(options.queryItems)
            == "labelSelector=capstan.dev%2Fworkflow%3Dw1%2Capp%20in%20%28a%2Cb%29&limit=10&continue=abc%3D%3D")
    }
}
