import Foundation
import TestSupport

/// `capstan sim --kubelet process` with one node, its logs in a folder of its own.
struct ProcessCluster {
    let cluster: KubeletCluster
    let logDirectory: URL

    static func start() async throws -> ProcessCluster {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-kubelet-\(UUID().uuidString)")
        let logs = base.appendingPathComponent("logs")
        let cluster = try await KubeletCluster.start(["--kubelet", "process", "--nodes", "1",
                                                      "--work-dir", base.appendingPathComponent("work").path,
                                                      "--log-dir", logs.path])
        return ProcessCluster(cluster: cluster, logDirectory: logs)
    }

    func log(_ pod: String) throws -> String {
        try String(contentsOf: logDirectory.appendingPathComponent("default/\(pod).log"), encoding: .utf8)
    }
}
