/// What the server does with a request, whichever transport brought it (a connection, or
/// `InProcessEndpoint`): the same size limit, injected faults, routing and headers.
extension ServerServices {
    /// kube-apiserver refuses request bodies above 3 MiB.
    static let maximumBodyBytes = 3 * 1024 * 1024

    func dispatch(_ request: APIRequest, bodyTooLarge: Bool) -> RouteOutcome {
        if bodyTooLarge {
            // apiserver's `limitedReadBody`: `NewRequestEntityTooLargeError("limit is N")`.
            return .response(.error(StatusError(code: 413, reason: "RequestEntityTooLarge",
                                                message: "Request entity too large: limit is \(Self.maximumBodyBytes)")))
        }
        if let fault = faults.fault(for: request) {
            return .response(.error(fault))
        }
        return router.route(request)
    }

    /// The headers of every answer but its length: its type, no caching, and what kube-apiserver's
    /// APF filter sets on the answers it classifies: the UIDs of the matched FlowSchema and
    /// PriorityLevelConfiguration (here those of a fixed `workload-low`, the level a
    /// controller's service account lands in).
    func headers(contentType: String, extra: [(String, String)] = []) -> [(String, String)] {
        var headers = [("Content-Type", contentType), ("Cache-Control", "no-cache, private")]
        if configuration.priorityAndFairness {
            headers.append(("X-Kubernetes-PF-FlowSchema-UID", "5f0f3e0e-6a1c-4d36-9a43-6b0a3c8e2b11"))
            headers.append(("X-Kubernetes-PF-PriorityLevel-UID", "8c2d7a55-1e0b-4f4d-b7c9-0d6e2f3a9c42"))
        }
        return headers + extra
    }
}
