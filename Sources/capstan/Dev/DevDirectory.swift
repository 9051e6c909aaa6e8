import Foundation

/// The folder `capstan dev` keeps everything in (`--store`, default `.capstan/`): it is the
/// file store (outputs, checkpoints, the cache under `default/.cache/`), and it holds
/// `logs/` (one file per attempt), `pods/` (each attempt's outputs file), `dev.log` (the controller's own log) and `kubeconfig`
/// (for `kubectl` while a run is going on).
struct DevDirectory {
    let root: URL

    init(path: String) {
        let base = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
        root = URL(fileURLWithPath: path, isDirectory: true, relativeTo: base).standardizedFileURL
    }

    var storeURL: String { "file://" + root.path }
    var logs: String { root.appendingPathComponent("logs").path }
    var controllerLog: String { root.appendingPathComponent("dev.log").path }
    var kubeconfig: String { root.appendingPathComponent("kubeconfig").path }
    /// Per-pod scratch files of the kubelet (each attempt's outputs file).
    var work: String { root.appendingPathComponent("pods").path }

    func create() throws {
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
    }
}
