import CapstanSupport
import Foundation
import Logging
import Synchronization

/// Sends log records to a file: `capstan dev` keeps the controller's and the kubelet's logs
/// out of the terminal, where the progress line lives, but within reach for debugging.
struct FileLogHandler: LogHandler {
    final class Sink: Sendable {
        private let handle = Mutex<FileHandle?>(nil)

        init(path: String) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            handle.withLock { $0 = FileHandle(forWritingAtPath: path) }
        }

        func write(_ line: String) {
            handle.withLock { $0?.write(Data(line.utf8)) }
        }
    }

    let label: String
    let sink: Sink
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let fields = merged.isEmpty ? "" : " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let time = UTCTime.now().rfc3339(fractionDigits: 3)
        sink.write("\(time) \(event.level) \(label): \(event.message)\(fields)\n")
    }
}
