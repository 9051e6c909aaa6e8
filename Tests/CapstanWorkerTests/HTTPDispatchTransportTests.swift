import CapstanAPI
import CapstanWorker
import Foundation
import Synchronization
import Testing

/// The worker's side of `POST /v1/workers/poll` over real HTTP.
@Suite struct HTTPDispatchTransportTests {
    private func environment(_ server: LoopbackHTTPServer) -> WorkerEnvironment {
        WorkerEnvironment(dispatchURL: server.url + "/", token: "s3cret", claims: claims)
    }

    @Test func postsThePollWithTheBearerTokenAndReadsTheAssignment() async throws {
        let item = ItemToRun(name: "wf-train-0-0", index: 0, attempt: 0, arguments: ["echo", "$(X)"],
                             environment: [.init(name: "X", value: "1")], timeoutSeconds: 5)
        let answer = String(decoding: try JSONEncoder().encode(WorkerAssignment(acknowledged: ["a"], item: item)), as: UTF8.self)
        let server = try LoopbackHTTPServer { _ in (200, answer) }
        defer { server.close() }
        let client = DispatchHTTPClient()
        let transport = client.transport(environment(server))
        let poll = WorkerPoll(claims: claims, finished: [ItemResult(name: "a", exitCode: 0, startedAt: "t0", finishedAt: "t1")], ready: true)
        let assignment = try await transport.poll(poll)
        await client.shutdown()
        #expect(assignment == WorkerAssignment(acknowledged: ["a"], item: item))
        let request = try #require(server.received.first)
        #expect(request.method == "POST")
        #expect(request.path == "/v1/workers/poll")
        #expect(request.headers["authorization"] == "Bearer s3cret")
        #expect(request.headers["content-type"] == "application/json")
        #expect(try JSONDecoder().decode(WorkerPoll.self, from: request.body) == poll)
    }

    @Test func statusesMapToRefusedRejectedAndTransient() async throws {
        let status = Mutex(401)
        let server = try LoopbackHTTPServer { _ in (status.withLock { $0 }, "  token does not match the claims\n") }
        defer { server.close() }
        let client = DispatchHTTPClient()
        let transport = client.transport(environment(server))
        let poll = WorkerPoll(claims: claims, ready: true)
        func error(_ code: Int) async -> DispatchError? {
            status.withLock { $0 = code }
            do {
                _ = try await transport.poll(poll)
                return nil
            } catch {
                return error as? DispatchError
            }
        }
        let refused = await error(401)
        #expect(refused?.isRefused == true)
        #expect(refused?.message == "token does not match the claims")
        #expect(await error(403)?.isRefused == true)
        #expect(await error(503)?.isTransient == true)
        let rejected = await error(400)
        #expect(rejected?.isTransient == false && rejected?.isRefused == false)
        #expect(await error(200)?.isTransient == true, "an answer that is not an assignment is waited out")
        await client.shutdown()
    }

    @Test func anUnreachableControllerIsTransient() async throws {
        let server = try LoopbackHTTPServer { _ in (200, "{}") }
        let url = server.url
        server.close()
        let client = DispatchHTTPClient(connectTimeout: .milliseconds(300))
        do {
            _ = try await client.transport(WorkerEnvironment(dispatchURL: url, token: "t", claims: claims)).poll(WorkerPoll(claims: claims, ready: true))
            Issue.record("expected an error")
        } catch {
            #expect((error as? DispatchError)?.isTransient == true)
        }
        await client.shutdown()
    }

    @Test func aLoopRunsItsItemsOverHTTP() async throws {
        let dispatch = FakeDispatch(items: items(3))
        let server = try LoopbackHTTPServer { request in
            // The server thread blocks on the actor, as a controller would take its time.
            let poll = try! JSONDecoder().decode(WorkerPoll.self, from: request.body)
            let answer = Mutex<WorkerAssignment?>(nil)
            let done = DispatchSemaphore(value: 0)
            Task {
                let assignment = try? await dispatch.answer(poll)
                answer.withLock { $0 = assignment }
                done.signal()
            }
            done.wait()
            return (200, String(decoding: try! JSONEncoder().encode(answer.withLock { $0 }!), as: UTF8.self))
        }
        defer { server.close() }
        let client = DispatchHTTPClient()
        let loop = WorkerLoop(claims: claims, transport: client.transport(environment(server)), executor: FakeExecutor())
        #expect(await loop.run() == .stopped)
        await client.shutdown()
        #expect(await dispatch.acknowledged == ["item-0", "item-1", "item-2"])
    }
}
