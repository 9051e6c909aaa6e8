import CapstanSupport
import Logging

/// A swift-log handler writing one line per message: a JSON object
/// (`{"ts":"...Z","level":"info","msg":"...","logger":"capstan.controller","workflow":"ns/name",...}`,
/// metadata at the top level) or text (`2026-01-02T03:04:05.678Z info msg key=value ...`).
public struct StructuredLogHandler: LogHandler {
    public let label: String
    public let format: LogFormat
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let output: LogOutput

    public init(label: String, format: LogFormat, level: Logger.Level, output: LogOutput = .standardError,
                metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.format = format
        self.logLevel = level
        self.output = output
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() {
            merged.merge(provided) { _, new in new }
        }
        if let extra = event.metadata {
            merged.merge(extra) { _, new in new }
        }
        if let error = event.error {
            merged["error"] = .string("\(error)")
        }
        let line = LogLineEncoder(timestamp: UTCTime.now().rfc3339(fractionDigits: 3), level: event.level,
                                  message: event.message.description, label: label, metadata: merged)
        output.write(format == .json ? line.json() : line.text())
    }
}
