import CapstanAPI
import Foundation
import Logging
import Synchronization
import Testing
@testable import CapstanController

@Suite("Structured logs")
struct StructuredLogHandlerTests {
    /// Collects what a handler writes.
    final class Lines: Sendable {
        private let collected = Mutex<[[UInt8]]>([])
        var all: [[UInt8]] { collected.withLock { $0 } }
        var output: LogOutput { LogOutput { line in self.collected.withLock { $0.append(line) } } }
    }

    func logger(_ format: LogFormat, level: Logger.Level = .info, into lines: Lines) -> Logger {
        Logger(label: "capstan.controller") { label in
            StructuredLogHandler(label: label, format: format, level: level, output: lines.output)
        }
    }

    @Test("json: one parseable object per line, metadata at the top level, numbers stay numbers")
    func jsonLines() throws {
        let lines = Lines()
        var log = logger(.json, into: lines)
        log[metadataKey: "workflow"] = "ml/train-sweep"
        log.info("node started", metadata: ["node": "train", "attempt": .stringConvertible(2), "gpu": .stringConvertible(true),
                                            "ratio": .stringConvertible(0.75)])
        log.warning("pod evicted\nby the kubelet", metadata: ["msg": "collides", "pod": "train-x \"quoted\""])
        log.debug("not written below the level")
        #expect(lines.all.count == 2)
        for line in lines.all {
            #expect(line.last == UInt8(ascii: "\n") && line.dropLast().contains(UInt8(ascii: "\n")) == false)
        }
        let first = try JSONValue.parse(lines.all[0])
        #expect(first["level"] == .string("info"))
        #expect(first["msg"] == .string("node started"))
        #expect(first["logger"] == .string("capstan.controller"))
        #expect(first["workflow"] == .string("ml/train-sweep"))
        #expect(first["node"] == .string("train"))
        #expect(first["attempt"] == .number(2))
        #expect(first["gpu"] == .bool(true))
        #expect(first["ratio"] == .number(0.75))
        let stamp = try #require(first["ts"]?.stringValue)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let parsed = try #require(formatter.date(from: stamp), "\(stamp)")
        #expect(abs(parsed.timeIntervalSinceNow) < 60 && stamp.hasSuffix("Z") && stamp.count == 24)
        // The fixed keys come first, in this order, so a person reading raw lines finds them.
        #expect(String(decoding: lines.all[0], as: UTF8.self).hasPrefix(#"{"ts":"\#(stamp)","level":"info","msg":"node started","logger":"#))

        let second = try JSONValue.parse(lines.all[1])
        #expect(second["msg"] == .string("pod evicted\nby the kubelet"))
        #expect(second["meta_msg"] == .string("collides"))
        #expect(second["pod"] == .string("train-x \"quoted\""))
        #expect(second["level"] == .string("warning"))
    }

    @Test("text: ts level msg key=value, quoting values that would not read back")
    func textLines() throws {
        let lines = Lines()
        let log = logger(.text, level: .debug, into: lines)
        log.debug("reconciled", metadata: ["workflow": "ml/a", "took": "12ms", "reason": "pod deleted", "empty": ""])
        let line = String(decoding: try #require(lines.all.first), as: UTF8.self)
        let pattern = #/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z debug reconciled empty="" reason="pod deleted" took=12ms workflow=ml\/a logger=capstan\.controller\n$/#
        #expect(line.wholeMatch(of: pattern) != nil, "\(line)")
    }

    @Test("metadata providers and errors are included")
    func providerAndError() throws {
        let lines = Lines()
        let provider = Logger.MetadataProvider { ["trace": "abc"] }
        let log = Logger(label: "capstan.kube") { label in
            StructuredLogHandler(label: label, format: .json, level: .info, output: lines.output, metadataProvider: provider)
        }
        struct Refused: Error, CustomStringConvertible { var description: String { "connection refused" } }
        log.error("list failed", error: Refused())
        let object = try JSONValue.parse(try #require(lines.all.first))
        #expect(object["trace"] == .string("abc"))
        #expect(object["error"] == .string("connection refused"))
    }

    @Test("--log-level and --log-format accept the documented values and name the flag otherwise")
    func flagParsing() throws {
        for name in ["trace", "debug", "info", "notice", "warning", "error", "critical", "INFO"] {
            #expect(try LogSetup.parseLevel(name).rawValue == name.lowercased())
        }
        let level = #expect(throws: FlagValueError.self) { try LogSetup.parseLevel("verbose") }
        #expect(level?.description == #"--log-level "verbose": expected one of trace, debug, info, notice, warning, error, critical"#)
        #expect(try LogFormat(parsing: "json") == .json)
        let format = #expect(throws: FlagValueError.self) { try LogFormat(parsing: "xml") }
        #expect(format?.description == #"--log-format "xml": expected json or text"#)
    }
}
