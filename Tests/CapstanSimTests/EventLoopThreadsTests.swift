import CapstanAPI
import Foundation
import Testing
import TestSupport

/// `capstan sim --event-loop-threads N`: one thread by default, more on request, and a
/// count out of range is refused before anything starts.
@Suite struct EventLoopThreadsTests {
    @Test func moreThreadsServeTheSameAnswers() async throws {
        let sim = try await SimProcess.start(["--event-loop-threads", "4", "--nodes", "0"])
        let pods = "/api/v1/namespaces/default/pods"
        // Enough requests at once that several threads take part.
        try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<20 {
                group.addTask { try await RawHTTP.request(sim.url, "POST", pods, json: Fixtures.pod("t\(index)")).status }
            }
            for try await status in group { #expect(status == 201) }
        }
        let listed = try #require(try await RawHTTP.request(sim.url, "GET", pods).json)
        #expect(listed["items"]?.arrayValue?.count == 20)
    }

    @Test(arguments: ["0", "65"])
    func aThreadCountOutOfRangeIsRefused(count: String) async throws {
        let result = try await ProcessRunner.run(try CapstanBinary.path(), ["sim", "--event-loop-threads", count])
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("--event-loop-threads must be between 1 and 64, got \(count)"), "\(result)")
    }
}
