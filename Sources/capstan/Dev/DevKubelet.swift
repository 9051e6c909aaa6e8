import CapstanKube
import Foundation
import Logging

/// The process kubelet as `capstan dev` uses it: one simulated node sized to this machine,
/// each pod's main command run as a local process, stdout and stderr of every attempt in
/// `logs/POD.log`.
struct DevKubelet: Sendable {
    let logDirectory: String

    struct Unavailable: Error, CustomStringConvertible {
        var description: String { "capstan dev needs the process kubelet, which this build does not include yet" }
    }

    static func start(client: KubeClient, directory: DevDirectory, logger: Logger) async throws -> DevKubelet {
        throw Unavailable()
    }

    /// Where the attempt that ran as pod `pod` wrote its output.
    func logPath(pod: String) -> String {
        "\(logDirectory)/default/\(pod).log"
    }

    /// Stops every process still running and waits for them to exit.
    func shutdown() async {}
}
