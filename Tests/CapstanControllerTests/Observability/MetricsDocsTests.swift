import Foundation
import Testing
@testable import CapstanController

@Suite("Metrics documentation")
struct MetricsDocsTests {
    /// The rows of the metrics table in docs/operations.md: name, type, labels column.
    static func documentedMetrics() throws -> [(name: String, type: String, labels: String)] {
        let text = try String(contentsOfFile: RepositoryLayout.path("docs/operations.md"), encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("| `capstan_") else { return nil }
            // Split on cell separators, not on the escaped `\|` inside a cell.
            let cells = line.replacingOccurrences(of: #"\|"#, with: "\u{1}").split(separator: "|", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 5 else { return nil }
            return (cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`")), cells[2], cells[3])
        }
    }

    @Test("docs/operations.md lists exactly the exported families, with their types and labels")
    func tableMatchesCatalog() throws {
        let rows = try Self.documentedMetrics()
        #expect(rows.map(\.name).sorted() == MetricsCatalog.all.map(\.name).sorted())
        for family in MetricsCatalog.all {
            guard let row = rows.first(where: { $0.name == family.name }) else { continue }
            #expect(row.type == family.kind.rawValue, "\(family.name)")
            let documentedLabels = Set(row.labels.components(separatedBy: "`").enumerated()
                .filter { $0.offset % 2 == 1 }.map(\.element))
            for label in family.labels {
                #expect(documentedLabels.contains(label), "\(family.name) label \(label) in \(row.labels)")
            }
            #expect(family.labels.isEmpty == row.labels.isEmpty, "\(family.name): \(row.labels)")
        }
        let attemptRow = try #require(rows.first { $0.name == MetricsCatalog.nodeAttempts.name })
        for result in NodeAttemptResult.allCases {
            #expect(attemptRow.labels.contains("`\(result.rawValue)`"))
        }
    }
}
