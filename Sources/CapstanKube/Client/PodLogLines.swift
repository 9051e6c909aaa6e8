import NIOCore

/// One container's log, line by line as the API server sends it (`GET pods/NAME/log`): all of
/// it, then, when following, each new line until the container ends. Transport failures throw
/// a `KubeError` with reason `.transport`.
public struct PodLogLines: AsyncSequence, Sendable {
    public typealias Element = String

    private let body: KubeResponseBody
    private let request: String

    init(body: KubeResponseBody, request: String) {
        self.body = body
        self.request = request
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(body: body.makeAsyncIterator(), request: request)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var body: KubeResponseBody.AsyncIterator
        let request: String
        var lines: LineSplitter = {
            var lines = LineSplitter()
            lines.keepsEmptyLines = true
            return lines
        }()
        var finished = false

        public mutating func next() async throws -> String? {
            while !finished {
                if let line = lines.nextLine() { return String(decoding: line, as: UTF8.self) }
                let chunk: ByteBuffer?
                do {
                    chunk = try await body.nextChunk(request: request)
                } catch {
                    finished = true
                    throw error
                }
                guard let chunk else {
                    finished = true
                    return lines.remainder().map { String(decoding: $0, as: UTF8.self) }
                }
                lines.append(chunk.readableBytesView)
            }
            return nil
        }
    }
}

extension KubeClient {
    /// `GET pods/NAME/log?container=C[&follow=true]`. Errors come back as the API server gives
    /// them: `BadRequest` for a container that has not started (the kubelet's words say why).
    public func podLog(namespace: String, pod: String, container: String, follow: Bool) async throws -> PodLogLines {
        var query = [("container", container)]
        if follow { query.append(("follow", "true")) }
        let request = KubeRequest(verb: .get, method: .GET, address: ResourceAddress(.pods, namespace: namespace, name: pod, subresource: "log"),
                                  query: query, idempotent: true)
        let response = try await execute(request)
        return PodLogLines(body: response.body, request: request.summary)
    }
}
