import CapstanSupport

/// Text made safe for HTML, and the document every page shares.
///
/// Every value that came from the cluster (names, labels, messages, logs) goes through
/// `escape` before it is written into a page: a failure message is the task's own output and
/// may hold anything.
enum HTML {
    static func escape(_ text: String) -> String { MarkupText.escaped(text) }

    /// A whole page: one stylesheet and one script, both served by this binary (no CDN), and a
    /// skip link so keyboard users reach the content without tabbing through the header.
    static func document(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title)) · capstan</title>
        <link rel="stylesheet" href="\(UIAssets.stylePath)">
        <link rel="icon" href="\(UIAssets.iconPath)" type="image/svg+xml">
        <script src="\(UIAssets.scriptPath)" defer></script>
        </head>
        <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top"><a href="/" class="brand">capstan</a> <span class="muted">read-only view</span></header>
        <main id="main">
        \(body)
        </main>
        </body>
        </html>

        """
    }
}

/// Builds a URL's path and query from parts, percent-encoding each one.
enum URLText {
    static func component(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }

    /// `/workflows/NS/NAME`: a Workflow's page.
    static func workflow(namespace: String, name: String) -> String {
        "/workflows/\(component(namespace))/\(component(name))"
    }

    static func query(_ items: [(String, String)]) -> String {
        let kept = items.filter { !$0.1.isEmpty }
        guard !kept.isEmpty else { return "" }
        return "?" + kept.map { "\(component($0.0))=\(component($0.1))" }.joined(separator: "&")
    }
}
