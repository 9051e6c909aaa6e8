import Foundation

/// Turns the registry's output into what `/metrics` serves: families sorted by name, each
/// with the `# HELP` line from `MetricsCatalog`.
///
/// HELP is added here rather than at registration because swift-prometheus requires every
/// registration of a name to carry the same help text, and swift-metrics (which CapstanKube
/// and CapstanStore record through) always registers with none; `promtool check metrics`
/// wants HELP on every family.
enum MetricsExposition {
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    static func render(_ text: String) -> [UInt8] {
        var blocks: [String: [Substring]] = [:]
        var help: [String: Substring] = [:]
        var current: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("# HELP ") {
                help[name(inComment: line)] = line
            } else if line.hasPrefix("# TYPE ") {
                let family = name(inComment: line)
                current = family
                blocks[family, default: []].append(line)
            } else if let current {
                blocks[current, default: []].append(line)
            }
        }
        var output = ""
        output.reserveCapacity(text.utf8.count + blocks.count * 100)
        for family in blocks.keys.sorted() {
            if let line = help[family] {
                output += line + "\n"
            } else if let known = MetricsCatalog.family(named: family) {
                output += "# HELP \(family) \(escapedHelp(known.help))\n"
            }
            for line in blocks[family]! {
                output += line + "\n"
            }
        }
        return Array(output.utf8)
    }

    /// The metric name in `# HELP name ...` or `# TYPE name type`.
    private static func name(inComment line: Substring) -> String {
        let rest = line.dropFirst(7)
        return String(rest.prefix { $0 != " " })
    }

    private static func escapedHelp(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }
}
