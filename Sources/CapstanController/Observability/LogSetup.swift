import Logging
import NIOConcurrencyHelpers

/// `--log-format`: one JSON object per line (for log collectors) or `ts level msg key=value`.
public enum LogFormat: String, Sendable, Hashable, CaseIterable {
    case json, text

    /// Parses a flag's value; `flag` names the flag in the error.
    public init(parsing text: String, flag: String = "--log-format") throws {
        guard let format = LogFormat(rawValue: text.lowercased()) else {
            throw FlagValueError(flag: flag, value: text, expected: "json or text")
        }
        self = format
    }
}

/// Installs Capstan's log handler as swift-log's backend: every `Logger` in the process then
/// writes through `StructuredLogHandler` to stderr.
public enum LogSetup {
    /// The levels `--log-level` accepts, lowest first.
    public static let levelNames = Logger.Level.allCases.map(\.rawValue)

    /// Parses `--log-level` (trace, debug, info, notice, warning, error, critical).
    public static func parseLevel(_ text: String, flag: String = "--log-level") throws -> Logger.Level {
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            throw FlagValueError(flag: flag, value: text, expected: "one of \(levelNames.joined(separator: ", "))")
        }
        return level
    }

    /// Sets the format and level of every logger made from now on. swift-log allows one
    /// bootstrap per process, so the first call installs a factory that reads the current
    /// settings and later calls only change them — safe to call from tests and `capstan dev`.
    public static func bootstrap(format: LogFormat, level: Logger.Level) {
        settings.withLockedValue { $0 = Settings(format: format, level: level) }
        installOnce
    }

    private struct Settings {
        var format: LogFormat
        var level: Logger.Level
    }

    private static let settings = NIOLockedValueBox(Settings(format: .text, level: .info))

    private static let installOnce: Void = {
        LoggingSystem.bootstrap { label in
            let current = settings.withLockedValue { $0 }
            return StructuredLogHandler(label: label, format: current.format, level: current.level, output: .standardError)
        }
    }()
}
