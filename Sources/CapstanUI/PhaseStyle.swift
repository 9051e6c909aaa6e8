/// How a phase looks. Colour alone never carries it: every phase also has its own glyph and
/// its name in words, so the graph reads the same to people who do not tell red from green
/// and to screen readers. The colours are Okabe and Ito's palette for colour-blind readers.
struct PhaseStyle: Sendable {
    var phase: String
    var glyph: String
    /// The CSS class that colours it (`phase-failed`).
    var cssClass: String

    init(_ phase: String) {
        self.phase = phase.isEmpty ? "Pending" : phase
        cssClass = "phase-" + self.phase.lowercased()
        glyph = Self.glyphs[self.phase] ?? "?"
    }

    private static let glyphs = [
        "Pending": "○", "Running": "▶", "Succeeded": "✓", "Failed": "✗", "Skipped": "↷", "Aborted": "■",
    ]

    /// Every node phase, in the order a run goes through them: the legend's rows.
    static let legendOrder = ["Pending", "Running", "Succeeded", "Failed", "Skipped", "Aborted"]

    /// A phase as a small badge: the glyph (hidden from screen readers, which read the word).
    var badge: String {
        "<span class=\"badge \(cssClass)\"><span aria-hidden=\"true\">\(glyph)</span> \(HTML.escape(phase))</span>"
    }

    /// The legend under a graph: each phase's colour, glyph and name.
    static var legend: String {
        let items = legendOrder.map { "<li>\(PhaseStyle($0).badge)</li>" }.joined()
        return "<ul class=\"legend\" aria-label=\"Legend\">\(items)"
            + "<li><span class=\"badge kind\">map: items succeeded/failed/running of total</span></li>"
            + "<li><span class=\"badge kind\">↳ sub-workflow</span></li></ul>"
    }
}
