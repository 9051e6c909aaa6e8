import CapstanStore
import Testing

/// A store keeps working across a server outage: requests made while SeaweedFS is down are
/// retried with backoff until it is back.
@Suite struct S3RestartTests {
    @Test(.timeLimit(.minutes(3)))
    func requestsRideOutAServerKilledAndRestartedMidRun() async throws {
        let server = try await WeedProcess.start()
        do {
            try await rideOutRestart(of: server)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    func rideOutRestart(of server: WeedProcess) async throws {
        let configuration = S3Configuration(
            endpoint: try S3Endpoint(parsing: server.endpoint, addressing: .path),
            retry: StoreRetryPolicy(maxAttempts: 30, baseDelay: .milliseconds(200), maxDelay: .seconds(2)))
        let store = try S3Store(
            url: .s3(bucket: "restart", prefix: "p"), configuration: configuration,
            credentials: StaticCredentialsProvider(AWSCredentials(accessKeyId: server.accessKey, secretAccessKey: server.secretKey)))
        do {
            try await store.createBucket()
            try await store.put("before.json", Array("{\"n\":1}".utf8))

            try await server.kill()
            let progress = Progress()
            let during = Task {
                try await store.put("during.json", Array("{\"n\":2}".utf8))
                let before = try await store.get("before.json")
                await progress.finish()
                return before
            }
            // While the server is down the requests cannot finish; they must be waiting, not failed.
            try await Task.sleep(for: .seconds(2))
            #expect(await progress.finished == false)

            try await server.launch()
            #expect(try await during.value == Array("{\"n\":1}".utf8))
            #expect(try await store.get("during.json") == Array("{\"n\":2}".utf8))
            #expect(try await store.list(prefix: "").keys == ["before.json", "during.json"])
        } catch {
            try? await store.shutdown()
            throw error
        }
        try await store.shutdown()
    }
}

actor Progress {
    private(set) var finished = false
    func finish() { finished = true }
}
